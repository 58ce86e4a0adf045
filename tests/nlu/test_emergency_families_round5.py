"""Families fixed in the fifth round (from held-out part E's errors), one table per family.

Every sentence here was written for these tests; none is copied or paraphrased from a held-out set.
"""

import pytest

import nlu


def _services(text: str) -> tuple[str, ...]:
    result = nlu.analyse(text).emergency
    return () if result is None else result.services


def _rules(text: str) -> tuple[str, ...]:
    """Services from the rules alone (the model is checked by the evaluation, not here)."""
    from nlu.normalization import normalize

    result = nlu.emergency.detect(normalize(text), use_model=False)
    return () if result is None else result.services


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # knives by name, forced handover of money
        ("地铁站出口有个人掏出一把水果刀逼一个小姑娘交钱", ("110",)),
        ("两个混混拿著刀子在巷子里堵人", ("110",)),
        # a weapon bought or carried, announced by message
        ("我前男友刚发消息说买好刀了 现在在我单位门口等我", ("110",)),
        ("那个人跟了我三条街 揣着什么东西 看着像刀", ("110",)),
        # fraud in progress: impersonated officials, the "safe account", being pressed to transfer
        ("自称派出所民警的人让我把钱转进安全账户 现在还没挂电话", ("110",)),
        ("骗子一直在电话里催我再转两万 我已经转了三次了 现在怎么办", ("110",)),
        ("有人冒充公安在小区里挨家收所谓的治安费 现在还在五栋", ("110",)),
        # an announced attack posted online: the hearsay words do not cancel it
        ("有人在论坛发帖说明天上午要去火车站砍人 还晒了刀", ("110",)),
        # confined by others, or held in a pyramid scheme
        ("我同学被骗到外地 说是传销 手机被收了 只能偷偷发消息", ("110",)),
        ("我爸被几个放贷的锁在一间仓库里 不还钱不让他走", ("110",)),
        # announcing death, whereabouts unknown
        ("我哥喝完酒说要去死 开着车出去了 手机关机", ("110",)),
        # a goodbye after pills
        ("同学在QQ上跟我告别 说吞了五十多片药", ("110", "120")),
        # drunk and weaving
        ("前面一辆白色轿车一路画龙 司机像是喝醉了在开车", ("110", "122")),
        # electrofishing next to people
        ("有人背着电瓶在河里电鱼 好几个小孩就在旁边游泳", ("110",)),
        # a chemical plant: a bang and coloured smoke are acute, not a smell complaint
        ("化工厂那边轰的一声 现在冒着红烟 往我们村飘", ("119",)),
        # a car under water with people inside
        ("桥洞下面有辆车被水淹了 水已经没过车窗 里面有人", ("119",)),
        # a sting typed with 蛰, a ventilator without power
        ("我儿子被黄蜂蛰了 脖子肿起来了", ("120",)),
        ("停电了 我妈的制氧机停了 她一直说透不过气", ("120",)),
        # a rider fall with an injury
        ("骑电动车摔了 腿骨头好像断了 在路边起不来", ("120", "122")),
    ],
)
def test_round5_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected
    assert _rules(text) == expected  # the rules name the evidence; the model is only a safety net


@pytest.mark.parametrize(
    "text",
    [
        # resolved
        ("我妈刚才心口疼 含了药 现在缓过来了 想问问心内科哪天有专家号"),
        ("刚才两个司机在路口吵起来 已经被交警劝开了"),
        ("门口那个一直跟着我的人走了 我想问问这边能不能装个监控"),
        ("仓库起火的事情消防已经处理了 想问保险公司什么时候来定损"),
        ("刚才在我们摊位闹事的那个人被他老婆拉走了"),
        ("我奶奶晕倒那次谢谢你们 现在已经住院了 想问问陪护能不能请假"),
        ("刚才被蚊子叮的包已经不疼了"),
        # figurative
        ("股票跌得我要跳楼了"),
        ("学区划片改来改去 急得我直冒火"),
        ("天天改方案 烦得要爆炸"),
        ("被这个噪音逼死了 对面通宵施工"),
        ("加班到凌晨 工作压得我都窒息了"),
        ("SOS 网购的冰箱半个月没送到 客服不回"),
        ("房东收了押金就失联了 能帮忙找人吗"),
        # administrative questions about a named condition
        ("我爸脑梗后遗症走路不方便 能申请轮椅补贴吗"),
        ("心梗做了支架 异地就医备案在哪办"),
        ("中风卧床五年的老人可以办长期护理险吗"),
        ("单位体检时发现脑出血住院了 能算工伤吗"),
        ("孩子溺水身亡 学校要承担什么责任 找谁咨询"),
        # things that are not people
        ("物业把楼下的香樟树砍了 说要建充电桩"),
        ("邻居家的猫被楼下大爷打了 一直躲在床底下"),
        ("楼上孩子整天跑跳 楼板咚咚响"),
        ("晚上总有人偷偷在河边烧垃圾 一股焦糊味"),
        ("一股臭鸡蛋味 应该是化工厂又在排废水"),
        # not yet the past tense, the experiential 过
        ("我十几年前被人打过 现在又被要求补办证明 去哪里开"),
        ("当年我家被人放火烧过 现在宅基地要重新确权"),
        # negated with 要
        ("不是要打110 就是想问下户口迁移要带什么"),
        # a hazard complaint about fishing rods and power lines
        ("高压线下面天天有人钓鱼 太危险了"),
        # pothole complaint counting falls
        ("那个大坑害得电动车摔了好几辆 赶紧修吧"),
        # electrofishing alone is a complaint
        ("有人在水库电鱼 一电一大片 请渔政查处"),
        # everyday appeals: injury paperwork, gas meter top-ups, a scheme reported, a long history, disaster relief
        ("下班骑车被电动车撞了 这种情况能申报工伤吗"),
        ("天然气表没气了 手机上怎么交费"),
        ("楼下商铺有人在做传销 每天拉老人去听课"),
        ("被前夫家暴好多年 离婚后能申请公租房吗"),
        ("村里好几户遭了火灾 过冬的被子有没有救助"),
        # a fever is not a fire
        ("孩子烧到三十九度 吃了退烧药 明天能去打疫苗吗"),
    ],
)
def test_round5_hard_negatives(text: str) -> None:
    assert _services(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # violence with bleeding needs an ambulance too
        ("我表哥被人捅了一刀 在巷子口 肚子一直冒血", ("110", "120")),
        ("两个人在饭店打起来了 一个头被砸破了", ("110", "120")),
        # traffic with an injury named
        ("电动车被小车撞了 骑车的人胳膊断了", ("120", "122")),
        ("小车冲进公交站 撞了好几个等车的人", ("120", "122")),
        # drowning
        ("公园湖里掉下去一个小孩 还在扑腾", ("110", "120")),
        ("有人在水库游泳抽筋了 正在往下沉", ("110", "120")),
        # pain that "explodes" is medical, not a bomb threat
        ("我头疼得要炸了 还一直吐", ("120",)),
    ],
)
def test_round5_service_sets(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected
