"""Chinese name vocabularies with pinyin, so names, genders and e-mails agree.

Surnames carry rough frequency weights (王, 李, 张 and 刘 alone cover about a
fifth of the population). Given-name characters are split by gender and by
generation: 建国 and 秀英 belong to parents, 子轩 and 梓涵 to their children.
"""

from __future__ import annotations

SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 7.1), ("李", "li", 7.0), ("张", "zhang", 6.7), ("刘", "liu", 5.4),
    ("陈", "chen", 4.5), ("杨", "yang", 3.1), ("黄", "huang", 2.4), ("赵", "zhao", 2.3),
    ("吴", "wu", 2.0), ("周", "zhou", 1.9), ("徐", "xu", 1.4), ("孙", "sun", 1.4),
    ("马", "ma", 1.3), ("朱", "zhu", 1.3), ("胡", "hu", 1.2), ("郭", "guo", 1.1),
    ("何", "he", 1.0), ("林", "lin", 1.0), ("高", "gao", 1.0), ("罗", "luo", 0.9),
    ("郑", "zheng", 0.9), ("梁", "liang", 0.8), ("谢", "xie", 0.7), ("宋", "song", 0.7),
    ("唐", "tang", 0.7), ("许", "xu", 0.6), ("韩", "han", 0.6), ("邓", "deng", 0.6),
    ("冯", "feng", 0.6), ("曹", "cao", 0.6), ("彭", "peng", 0.5), ("曾", "zeng", 0.5),
    ("肖", "xiao", 0.5), ("田", "tian", 0.5), ("董", "dong", 0.5), ("潘", "pan", 0.4),
    ("袁", "yuan", 0.4), ("蔡", "cai", 0.4), ("蒋", "jiang", 0.4), ("余", "yu", 0.4),
    ("于", "yu", 0.4), ("杜", "du", 0.4), ("叶", "ye", 0.4), ("程", "cheng", 0.4),
    ("魏", "wei", 0.4), ("苏", "su", 0.4), ("吕", "lv", 0.4), ("丁", "ding", 0.3),
    ("任", "ren", 0.3), ("卢", "lu", 0.3), ("姚", "yao", 0.3), ("沈", "shen", 0.3),
    ("钟", "zhong", 0.3), ("姜", "jiang", 0.3), ("崔", "cui", 0.3), ("谭", "tan", 0.3),
    ("陆", "lu", 0.3), ("范", "fan", 0.3), ("汪", "wang", 0.3), ("廖", "liao", 0.3),
    ("石", "shi", 0.3), ("金", "jin", 0.3), ("韦", "wei", 0.3), ("贾", "jia", 0.3),
    ("夏", "xia", 0.2), ("付", "fu", 0.2), ("方", "fang", 0.2), ("邹", "zou", 0.2),
    ("熊", "xiong", 0.2), ("白", "bai", 0.2), ("孟", "meng", 0.2), ("秦", "qin", 0.2),
    ("邱", "qiu", 0.2), ("侯", "hou", 0.2), ("江", "jiang", 0.2), ("尹", "yin", 0.2),
    ("薛", "xue", 0.2), ("闫", "yan", 0.2), ("段", "duan", 0.2), ("雷", "lei", 0.2),
    ("龙", "long", 0.2), ("黎", "li", 0.2), ("史", "shi", 0.2), ("陶", "tao", 0.2),
    ("贺", "he", 0.2), ("毛", "mao", 0.2), ("郝", "hao", 0.2), ("顾", "gu", 0.2),
    ("龚", "gong", 0.1), ("邵", "shao", 0.1), ("万", "wan", 0.1), ("覃", "qin", 0.1),
    ("武", "wu", 0.1), ("钱", "qian", 0.1), ("戴", "dai", 0.1), ("严", "yan", 0.1),
    ("欧阳", "ouyang", 0.05), ("上官", "shangguan", 0.02), ("司马", "sima", 0.02),
    ("诸葛", "zhuge", 0.01),
)

# Given-name characters: (character, pinyin). "classic" for members born before 1980.
MALE_CLASSIC: tuple[tuple[str, str], ...] = (
    ("建", "jian"), ("国", "guo"), ("军", "jun"), ("伟", "wei"), ("强", "qiang"),
    ("明", "ming"), ("华", "hua"), ("平", "ping"), ("志", "zhi"), ("勇", "yong"),
    ("刚", "gang"), ("斌", "bin"), ("峰", "feng"), ("东", "dong"), ("海", "hai"),
    ("林", "lin"), ("德", "de"), ("文", "wen"), ("春", "chun"), ("庆", "qing"),
    ("荣", "rong"), ("金", "jin"), ("涛", "tao"), ("辉", "hui"), ("磊", "lei"),
)
MALE_MODERN: tuple[tuple[str, str], ...] = (
    ("浩", "hao"), ("宇", "yu"), ("轩", "xuan"), ("子", "zi"), ("俊", "jun"),
    ("杰", "jie"), ("博", "bo"), ("文", "wen"), ("晨", "chen"), ("鑫", "xin"),
    ("凯", "kai"), ("鹏", "peng"), ("飞", "fei"), ("翔", "xiang"), ("阳", "yang"),
    ("帆", "fan"), ("睿", "rui"), ("泽", "ze"), ("然", "ran"), ("铭", "ming"),
    ("天", "tian"), ("一", "yi"), ("哲", "zhe"), ("昊", "hao"), ("航", "hang"),
)
FEMALE_CLASSIC: tuple[tuple[str, str], ...] = (
    ("秀", "xiu"), ("英", "ying"), ("兰", "lan"), ("芳", "fang"), ("丽", "li"),
    ("红", "hong"), ("梅", "mei"), ("玉", "yu"), ("珍", "zhen"), ("桂", "gui"),
    ("霞", "xia"), ("凤", "feng"), ("华", "hua"), ("琴", "qin"), ("云", "yun"),
    ("萍", "ping"), ("燕", "yan"), ("敏", "min"), ("静", "jing"), ("娟", "juan"),
    ("艳", "yan"), ("莉", "li"), ("玲", "ling"), ("淑", "shu"), ("慧", "hui"),
)
FEMALE_MODERN: tuple[tuple[str, str], ...] = (
    ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("欣", "xin"), ("怡", "yi"),
    ("佳", "jia"), ("悦", "yue"), ("涵", "han"), ("梓", "zi"), ("诗", "shi"),
    ("雨", "yu"), ("思", "si"), ("梦", "meng"), ("晓", "xiao"), ("颖", "ying"),
    ("倩", "qian"), ("璐", "lu"), ("瑶", "yao"), ("可", "ke"), ("馨", "xin"),
    ("萱", "xuan"), ("妍", "yan"), ("丹", "dan"), ("洁", "jie"), ("若", "ruo"),
)

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("qq.com", 0.38), ("163.com", 0.22), ("126.com", 0.09), ("sina.com", 0.05),
    ("foxmail.com", 0.06), ("gmail.com", 0.07), ("outlook.com", 0.06), ("139.com", 0.04),
    ("hotmail.com", 0.03),
)

# Real mobile number prefixes of China Mobile, Unicom, Telecom and Broadnet.
MOBILE_PREFIXES: tuple[int, ...] = (
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139,
    150, 151, 152, 153, 155, 156, 157, 158, 159,
    166, 170, 171, 173, 175, 176, 177, 178,
    180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
    191, 193, 195, 196, 197, 198, 199,
)
