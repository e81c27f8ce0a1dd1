"""暖心工程 (SPEC §2.4): customer service. 日常服务 in ``visits``, 窗口服务 and 一次性告知 in
``window``, 首问负责制 in ``tickets``, 增值服务 (片区群, greetings, 上门服务, 非工作日预约) in
``outreach``."""
