"""Word lists for realistic demo and benchmark data (names, shops, streets, posts).

Deterministic: every generator takes a ``random.Random`` so two runs give the same data.
"""

from __future__ import annotations

import datetime as dt
import random

# Common surnames weighted roughly by frequency in Jiangxi, plus a few with special readings
# (单 shan, 曾 zeng, 解 xie, 区 ou, 仇 qiu) and compound surnames, so pinyin search is exercised.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严赖覃洪武莫孔汤向常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
    "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单解区仇"
)
SURNAME_WEIGHTS = [12 if i < 20 else 5 if i < 60 else 2 for i in range(len(SURNAMES))]
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛"]
MALE_CHARS = "伟强军平东华建明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"  # noqa: E501
FEMALE_CHARS = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"  # noqa: E501

STREETS_URBAN = [
    "红旗大道",
    "文清路",
    "章江路",
    "长征大道",
    "南门路",
    "阳明路",
    "赣江源大道",
    "东阳山路",
    "健康路",
    "和平路",
    "八一四大道",
    "金岭大道",
    "青年路",
    "建设路",
    "人民路",
    "解放路",
    "中山路",
    "厚德路",
    "兴国路",
    "环城路",
    "站前大道",
    "钟楼路",
    "新赣州大道",
    "迎宾大道",
]
TOWNS = [
    "沙石",
    "水西",
    "潭口",
    "唐江",
    "大塘埠",
    "梅林",
    "江口",
    "湖江",
    "大塘",
    "古陂",
    "贡江",
    "罗坳",
    "银坑",
    "沙洲坝",
    "叶坪",
    "壬田",
    "九堡",
    "安西",
]
VILLAGES = ["新屋", "上坪", "下湾", "塘背", "石门", "禾丰", "杨梅", "竹园", "高陂", "龙口", "田心"]

SHOP_WORDS = [
    "惠民",
    "好又多",
    "便民",
    "鑫源",
    "金鑫",
    "万家",
    "兴旺",
    "福满多",
    "百佳",
    "旺旺",
    "家家乐",
    "阳光",
    "华联",
    "天天",
    "顺发",
    "永辉",
    "佳惠",
    "客家",
    "红都",
    "章贡",
    "宏达",
    "利群",
    "新时代",
    "乐购",
]
FORMAT_SUFFIXES = {
    "Z": ["食杂店", "小卖部", "副食店", "杂货店"],
    "B": ["便利店", "便利超市", "24小时便利店"],
    "S": ["超市", "购物中心", "生活超市"],
    "M": ["商场", "百货商场"],
    "Y": ["烟酒商行", "名烟名酒", "烟酒店"],
    "F": ["KTV", "宾馆", "茶楼", "网咖", "酒店"],
    "Q": ["加油站便利店", "副食批发部", "水果店"],
}
# (format, weight) — mostly groceries and convenience stores, as in a real city.
FORMAT_WEIGHTS = [("Z", 45), ("B", 25), ("S", 10), ("M", 2), ("Y", 10), ("F", 5), ("Q", 3)]

POSTS_AREA = ["客户经理", "客户经理", "送货员", "专卖稽查员", "市场经理"]
POSTS_BUREAU = ["窗口人员", "专卖稽查员", "送货员", "营销部经理", "内勤", "综合办主任", "会计"]
POSTS_COMPANY = ["科员", "主任科员", "副主任", "主任", "信息员", "财务人员", "党建专干"]
EDUCATION_WEIGHTS = [
    ("junior", 3),
    ("senior", 15),
    ("college", 30),
    ("bachelor", 45),
    ("master", 7),
]


def person_name(rng: random.Random, gender: str) -> str:
    if rng.random() < 0.01:
        surname = rng.choice(COMPOUND_SURNAMES)
    else:
        surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
    return surname + given


def phone(rng: random.Random) -> str:
    prefix = rng.choice(["138", "139", "135", "136", "137", "150", "151", "158", "159", "180"])
    prefix = rng.choice([prefix, "187", "188", "177", "199", "133", "153", "189"])
    return f"{prefix}{rng.randrange(10**8):08d}"


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def shop_name(rng: random.Random, business_format: str, owner: str, street: str) -> str:
    suffix = rng.choice(FORMAT_SUFFIXES[business_format])
    roll = rng.random()
    if roll < 0.35:
        prefix = owner[:1] + rng.choice(["记", "氏", "家", "姐", "哥"])
    elif roll < 0.55:
        prefix = street[:2]
    else:
        prefix = rng.choice(SHOP_WORDS)
    return prefix + suffix


def birth_date(rng: random.Random, min_age: int = 22, max_age: int = 59) -> dt.date:
    today = dt.date(2026, 1, 1)
    return today - dt.timedelta(days=rng.randrange(min_age * 365, max_age * 365))
