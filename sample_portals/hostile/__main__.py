from sample_portals.hostile import main

main()
