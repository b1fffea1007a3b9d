"""The nianbao spiders: `bureaus` crawls the annual-report columns of every registry row."""
