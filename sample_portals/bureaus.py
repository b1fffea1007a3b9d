"""The sample bureaus: five carry the seed reports, the others fill in levels and families.

Names and region codes are those of real places; the portals themselves are our own fiction.
"""

from sample_portals.model import Bureau

BUREAUS: list[Bureau] = [
    Bureau("henan-jtt", "河南省交通运输厅", "province", "河南省", "410000", "4100000033", "trs", 8711,
           "河南省交通运输厅", "jtyst.henan.gov.cn", "政府信息公开年报", "郑州市金水区金水路26号",
           "0371-65556000", "豫ICP备05011745号", "豫公网安备41010502002351号", "河南省交通运输厅",
           "河南省交通运输厅信息中心", per_page=4),
    Bureau("hunan-jtt", "湖南省交通运输厅", "province", "湖南省", "430000", "4300000046", "trs", 8712,
           "湖南省交通运输厅", "jtt.hunan.gov.cn", "政府信息公开年度报告", "长沙市开福区湘江中路一段",
           "0731-88770000", "湘ICP备05002318号", "湘公网安备43010502000873号", "湖南省交通运输厅",
           "湖南省交通运输厅科技信息中心", per_page=4),
    Bureau("yiyang-jtj", "益阳市交通运输局", "city", "湖南省", "430900", "4309000022", "trs", 8713,
           "益阳市交通运输局", "jtj.yiyang.gov.cn", "政府信息公开年报", "益阳市赫山区康富南路",
           "0737-4221000", "湘ICP备09004121号", "湘公网安备43090202000154号", "益阳市交通运输局",
           "益阳市交通运输局信息中心", per_page=4),
    Bureau("lushan-jtj", "庐山市交通运输局", "county", "江西省", "360483", "3604830007", "trs", 8714,
           "庐山市交通运输局", "jtj.lushan.gov.cn", "政府信息公开年报", "庐山市南康镇匡庐大道",
           "0792-2660000", "赣ICP备10002397号", "赣公网安备36048302000107号", "庐山市人民政府办公室",
           "庐山市交通运输局", per_page=4),
    Bureau("fuyang-jtj", "阜阳市交通运输局", "city", "安徽省", "341200", "3412000012", "hanweb", 8715,
           "阜阳市交通运输局", "jtj.fy.gov.cn", "政府信息公开年报", "安徽省阜阳市阜南路9号",
           "0558-12328", "皖ICP备19012406号-1", "皖公网安备34120202000184号", "阜阳市交通运输局",
           "阜阳市交通运输指挥调度中心", per_page=3),
    Bureau("liaoyuan-jtj", "辽源市交通运输局", "city", "吉林省", "220400", "2204000019", "hanweb", 8716,
           "辽源市交通运输局", "jtj.liaoyuan.gov.cn", "政府信息公开年报", "辽源市龙山区人民大街",
           "0437-3220000", "吉ICP备05003066号", "吉公网安备22040202000021号", "辽源市交通运输局",
           "辽源市政务服务和数字化建设管理局", per_page=3),
    Bureau("linquan-jtj", "临泉县交通运输局", "county", "安徽省", "341221", "3412210031", "hanweb", 8717,
           "临泉县人民政府", "www.linquan.gov.cn", "政府信息公开年报", "临泉县城关镇临化路",
           "0558-6512000", "皖ICP备05016232号", "皖公网安备34122102000035号", "临泉县人民政府办公室",
           "临泉县数据资源管理局", per_page=3),
]

BY_ID = {b.id: b for b in BUREAUS}
