"""Context rules that decide whether a trigger is a present emergency or something else.

Families (each is a hard-negative family in the labelled set): informational mentions, negation,
hypotheticals/questions/prevention, resolved events, past events and their aftermath (claims,
compensation), administrative questions, and pollution complaints that mention smoke.
A strong present-tense marker ("快来", "还在烧", "救命") overrides every family except negation.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlu.results import Normalized

# Damage done by weather, not by a driver or a rioter ("台风把树刮倒了，砸坏了车").
WEATHER_DAMAGE = r"(?:大风|台风|狂风|风|暴雨|冰雹)(?:把)?[^,。!?]{0,6}(?:刮倒|吹倒|砸坏|压坏|砸了|刮坏)"
# Phrases that contain trigger text but are not emergencies; blanked before triggers run.
MASKED_PHRASES = re.compile(
    WEATHER_DAMAGE + r"|"
    r"火灾隐患|消防隐患|(?:燃气|煤气|天然气)表(?:没气了?)?|安全隐患|火灾险|防火|消防通道|消防栓|消防门|灭火器|灭火毯|"
    r"消防检查|消防设施|火灾报警器|烟雾报警器|烟感|火灾预防|火锅|火车|打火机|火柴|上火|发火|火气|火大|恼火|火上浇油|心急火燎|"
    r"火爆|火腿|火化|火葬|烤火|生火做饭|点火|火候|火龙果|火山|火箭|火热|(?<![起着失])火速|红红火火|交通事故认定|事故认定书|"
    r"车祸险|意外险|交强险|抢购|抢票|抢红包|抢车位|抢修|抢险|跳楼价|跳楼甩卖|跳楼大甩卖|杀价|杀毒|秒杀|杀虫|"
    r"打人工|打架子鼓|被困扰|困难|中毒太深|网瘾|窒息的操作|救护车收费|中暑预防|撞衫|撞脸|撞单|撞期|碰了壁|"
    r"碰了钉子|碰了一鼻子灰|被抢先|抢先|抢答|抢单|抢活|抢生意|抢地盘|抢占|"
    r"抢道|抢行|抢位|冒烟的油烟机|油烟|烟囱冒烟|吸烟|抽烟|二手烟|烟头|香烟|烟花|烟酒|烟草|烟民|"
    r"(?:累|热|饿|困|忙|气|晒|转|吵|排|等|挤)得?(?:我|人)?(?:快|要|都快)?晕(?:倒|过去|了)|快要晕倒|打得火热|(?:猫|狗|鸟|鸡)(?:在)?打架|"
    r"(?:路面|地面|马路|路上|人行道)[^,。!?]{0,2}塌|塌(?:了)?(?:一个|个)(?:大)?坑|塌陷|跟踪处理|跟踪落实|跟踪回访|跟踪服务|跟踪调查|(?:堵|气|累|烦|急|闹|吵|坑|贵|卡)得(?:我)?(?:都)?(?:要|快)?吐血|原地爆炸|辣得[^,。!?]{0,6}着火|吵得(?:都)?(?:快|要)打起来|锁在门外|被锁在外面|(?:树枝|树|招牌|广告牌|瓦片|玻璃|空调|外机|石头|墙皮|东西)[^,。!?]{0,4}(?:快)?(?:要)?掉下来|吐血推荐|打不着火|点不着火|打不着|打手心|打人手|"
    r"(?:简直|就是|这是|跟|和|等于|像)(?:是)?抢钱|抢钱啊|(?:压|涨|逼|累|忙|气|愁|加|催|卷|烦|挤)得(?:我|人)?(?:都)?(?:快|要)?喘不过气|"
    r"气得(?:我)?(?:胸口|心口|肝|脑袋|头)(?:都)?(?:疼|痛)|"
    r"(?:累|热|饿|困|烦|忙|吵|笑|气|急|冷|臭|难受|疼|烦)(?:得)?(?:快|要)?死(?:了|人|我了)|(?:累|忙|加班)[^,。!?]{0,4}猝死|"
    r"(?:加班|工作|压力|房贷|学习|作业)[^,。!?]{0,6}(?:喘不过(?:气|来)|窒息)|"
    r"(?:压力大|大|涨|跌|累|忙|气|愁|烦|穷|亏|急|吵|闷|挤)得(?:我|人)?(?:都|直|真)?(?:快|要)?(?:跳楼|上吊|窒息|爆炸|冒火|炸了)|(?:好吃|好看|好玩|好听|爽|香|火)到爆炸?|"
    r"被(?:这个|这|那个|那)?(?:噪音|噪声|声音|味道|臭味|气味|工作|加班|房价|天气)(?:给)?(?:杀死|弄死|搞死|逼死)|"
    r"(?:树|绿化|树木|树枝|竹子|花草|草坪|绿植)[^,。!?]{0,6}砍(?:了|掉|光)|砍(?:了|掉|光)[^,。!?]{0,3}(?:树|绿化|竹子)|"
    r"(?:油|水|垃圾|污|渣|土|沙|料)[^,。!?]{0,3}倒在|(?:烧烫伤|烫伤|烧伤|止血|跌打)(?:膏|药膏|药|喷雾|贴)|水箱开锅|(?:用|使用|禁止|严禁)明火|明火(?:作业|烧烤|做饭)|(?:灶|燃气灶|煤气灶)[^,。!?]{0,2}火苗|火苗(?:是|发|呈)?(?:黄|红|蓝)色?|(?:插卡|卡插|气表|燃气表)[^。!?]{0,20}没气了|杀了我吧|"
    r"(?:像|跟|如同|好像|仿佛)(?:是)?(?:在)?(?:跳楼|跳水|炸弹|爆炸|打仗|杀猪|坐火箭)(?:一样|似的|一般)?|像(?:是)?着(?:了)?火(?:了)?(?:一样|似的|一般)|"
    r"(?:燃气|煤气|天然气|气罐|灶|做饭|做到一半|炒到一半)[^,。!?]{0,6}没气了?|呛得[^,。!?]{0,3}喘不过气|"
    r"(?:起火|着火|火灾|事故|爆炸)(?:的)?(?:原因|以后|之后|后(?!面)|损失)|什么(?:救命|杀|打|着火|爆炸)[^,。!?]{0,6}(?:啊|呀)的|(?:简直|真)是(?:个)?炸弹|"
    r"(?:好喝|好用|辣|甜|酸|便宜|贵)到爆炸?|(?:急|气|愁|烦|忙)得[^,。!?]{0,6}(?:烧着|着火|冒火|冒烟|爆炸|炸了|跳楼)|我(?:真的|真|都)?(?:要|快)(?:要)?(?:爆炸|炸)了"
)

INFORMATIONAL = re.compile(
    r"新闻|报道|听说|听(?!我)[^,。!?]{0,4}说|网上说|网上看到|视频里|电影(?!院|城)|电视剧|小说|演习|演练|培训|讲座|宣传|科普|知识|课上|"
    r"游戏里|打游戏(?:时|的时候)?(?:喊|说|叫)|剧里|看了个剧|主角|剧情|情节|游戏中|梦见|做梦|梦到|教育片|模拟|视频(?:里|上|说|中)|短视频|网上(?:说|看到|传|流传|有人说|都在说)|辟谣|谣言|"
    r"(?<!发)朋友圈(?![里上]?发)|群里说|报纸(?:上|里|说)|看报纸|好奇(?!怪)|广播里|公众号|(?:群里|网上|外面|大家|都)(?:都)?在传(?!销)|传言|据说|有没有这回事|抖音"
)
NEGATION_BEFORE = re.compile(
    r"(?:没有|没|(?<!是)不是|并非|并没有|并未|未|无|不会|不用|不要|别|从没|从来没|差点|差一点|差点儿|险些|冇|冇有|"
    r"没得|莫得|木有|唔系|不系)(?:就)?"
    r"(?:发生|出现|人|再|在|有|被|要|我|他|她|谁|小孩|孩子|老人|看到|看见|发现|闻到|听到|哪里|哪儿|什么|冒烟|起火|着火){0,3}$"
)
# "不是着火，是邻居在熏腊肉，烟很大": the citizen names the emergency it is not, then what it is.
CORRECTION = re.compile(
    r"(?:不是|没有?|并非)(?:人)?(?:着火|着|起火|失火|火灾|冒烟|打架|打起来|打人|动手|出事|车祸|撞车|撞到人|撞人|落水|溺水|跳河|跳楼|困人|伤人)了?"
    r"[^,。!?]{0,6}[,\s]?(?:而|就|只|(?<![全都]))是(?!真的|真)|(?:血|这)不是人的|电梯(?:里)?没(?:有)?关(?:着)?人"
)
# The citizen says outright that nothing is happening now (a long letter, a call-back after a false alarm).
NOT_URGENT = re.compile(
    r"不是紧急(?:情况|的事|事件|事情)|不是(?:什么)?急事|不是现在(?:正在)?发生|没有(?:什么)?紧急情况|不用派(?:车|人)了?|不需要(?:派车|出警|救护车)|不用(?:出警|来了)"
)
# "还以为着火了": the trigger is what the citizen first thought, not what it was.
MISTAKEN_BEFORE = re.compile(r"(?:还|误|都|真)*以为(?:是|有人|要|又)?[^,。!?]{0,2}$|看着像(?:是)?$")
# Voice transcripts pad clauses with fillers; a conditional is read past them ("如果那个家里的老人那个突然晕倒了").
OR_CONTINUES = re.compile(r"或者|或是|还是说|又或者")
FILLERS = re.compile(r"那个|这个|就是|然后|嗯|啊|呃|额")
# What a letter asks of the hotline; a long message with several of these is an appeal, whatever it mentions.
APPEAL = re.compile(
    r"想(?:问|咨询|反映|了解)(?:一下)?|希望(?:有关|相关)?部门|请(?:有关|相关)部门|有没有(?:什么)?(?:政策|规定|标准)|合法吗|合理吗|怎么申请|"
    r"建议|反映一下|投诉|协调一下|帮忙协调|凭什么|管一管|来看一看|来看一下|给个说法|能不能请|请(?:你们|有关|相关)|实地看|"
    r"是否合法|合法吗|违法吗|能管吗|谁来管|管不管|有没有规定"
)
LONG_LETTER = 120
VERY_LONG_LETTER = 200
# "火已经灭了" ends a fire, not the burns it left.
FIRE_OUT = re.compile(r"灭|熄")
HURT = re.compile(r"伤|血|昏|晕|骨折")
HYPOTHETICAL_BEFORE = re.compile(
    r"如果|假如|万一|要是|假设|一旦|倘若|若是|哪天|哪一天|有朝一日|到时候|还是(?:先|直接)?$|是哪(?:里|儿)?$|下来(?:能|会|就|可能)$|真要$|就会$|(?:都|就|肯定)得$|怕|担心|害怕|防止|以免|避免|预防|防范|容易|可能会|会不会|会引起|"
    r"(?:时|的时候)(?:应该|该|要)?(?:怎么|如何)|会导致|引发|造成|(?<!不)小心|生怕|迟早|早晚|随时可能|随时会|存在|什么情况|哪些情况|怎样才能|怎么防|如何防|"
    r"遇到(?!了)|遇上(?!了)|碰到(?:这种|这样|那种|类似)|发生了?.{0,3}(?:应该|该)|是否|能不能|可不可以|要不要|有没有.{0,3}(?:风险|可能)|^请问"
)
HYPOTHETICAL_AFTER = re.compile(
    r"^.{0,3}(?:的)?(?:风险|隐患|危险|可能性|的可能|苗头|迹象|倾向)|^[^,。!?]{0,6}(?<!样)的话|"
    r"^了?[^,。!?]{0,4}(?:能不能|可不可以|能否)(?:用|灭|扑|救|处理)|^了?[^,。!?]{0,3}能(?:用|拿)[^,。!?]{0,6}吗|^了?[^,。!?]{0,3}(?:往哪(?:里|儿)?跑|怎么跑)|^.{0,6}(?:时|的时候|后|之后|以后)(?:应该|要|该|怎么|如何|需要|能不能|可不可以|可以|能否)|"
    r"^.{0,6}(?:怎么|如何|怎样)(?:预防|防范|逃生|自救|急救|应对|避免|处理比较好|做)|"
    r"^.{0,8}(?:应急预案|常识|注意事项|注意什么|找哪个部门|归谁管|哪个部门管|打什么电话)|"
    r"^.{0,6}(?:后果不堪设想|会负责吗|负责吗|能赔吗|怎么赔|谁负责|谁来赔)"
)
# For a confident model hit: a conditional or a prevention question, not fear ("我好害怕 有人在敲门").
CONDITIONAL = re.compile(
    r"如果|假如|万一|要是|假设|一旦|倘若|若是|哪天|哪一天|有朝一日|^请问|会不会|是否|怎么防|如何防|预防|防止|以免|避免"
)
# Knowledge questions about an emergency (symptoms, prevention, first aid), anywhere near the trigger.
KNOWLEDGE = re.compile(
    r"怎么预防|如何预防|如何防范|怎么防范|预防措施|防范措施|有什么症状|什么症状|症状是什么|急救方法|自救方法|逃生方法|"
    r"注意事项|应急知识|是什么原因|有哪些原因|怎么急救|如何急救|怎么自救|如何自救|怎么逃生|如何逃生|前兆|征兆|先兆|"
    r"怎么灭|如何灭|能不能灭|能灭吗|用什么灭|早期识别|被讹|讹人|碰瓷|怎么识别|如何识别|怎么判断|如何判断|怎么处理比较好|一般(?:要|应该|该)?(?:怎么|如何)|是一回事吗|有什么区别|区别是什么|搞不清"
)
RESOLVED = re.compile(
    r"(?:已经|已|早就|都|总算|终于)(?:被)?(?:扑灭|灭了|熄灭|处理好|处理完|解决|控制住|救出来|送(?:到)?医院|出院|"
    r"没事了|好了|抢救过来|脱险|找到|回来|抓到|抓住|醒了|醒过来|离开了|走了|劝下来|在医院|送到[^,。!?]{0,4}医院)|火(?:现在|总算|终于|也)?灭了|没事了|平安了|找到了|"
    r"回家了|醒过来了|抢救过来了|脱离危险|缓过来了?|被[^,。!?]{0,4}(?:朋友|家人|家里人|老婆|老公|媳妇|家长|同伴)(?:给)?(?:拉|带|劝|接)走了|(?:已经|已)(?:来)?(?:接|带|领)回(?:去|家)了?|已经不(?:疼|痛|流血|肿)了|(?:已经|已)住院|(?:已经|都)稳定(?:下来)?了|(?:已经|已)处理(?:了|过)|缝了[一二两三四五六七八九十几\d]+针|缝好(?:了)?针|缝完针|包扎(?:好|了)|(?:已经|已)关火|(?:拔|取)出来了|没(?:有)?受伤|没伤着|未遂|出院了|(?:被)?救上来了|开锁师傅|(?:已经|已)[^,。!?]{0,6}灭了|烧完了|没蔓延|交给[^,。!?]{0,4}(?:妈妈|爸爸|家长|家人|家属|民警|警察)|被[^,。!?]{0,4}收留|散掉了|修好了|门已经开了|孩子(?:已经)?出来了|(?:交警|警察|民警|消防|医生)[^,。!?]{0,2}处理完|没(?:有)?味(?:道)?了|一会儿?没事|路(?:也)?通了|伤者[^,。!?]{0,3}送(?:到)?[^,。!?]{0,4}医院|哈哈|没那么严重|(?<!不是)(?<!没)(?<!没有)(?<!别)开玩笑的?|说着玩的?|夸张(?:说法|的说法)?|气话|后来(?:被)?(?:抓到|抓住|找到|送医|救出来)|被?(?:劝|拉)开了|各自走了|那(?:个)?[^,。!?]{0,8}人(?:已经)?走了|虚惊一场|误会|误报|搞错了|已经(?:关|关掉|关了)(?:阀门|总阀|煤气|燃气)|"
    r"(?:警察|交警|民警|消防|消防员|救护车|医生)已经(?:来|到)|"
    r"(?:警察|民警|派出所|救护车|120|医生|消防)(?:已经|已)(?:把人)?(?:带走|拉走|接走|送走|抓走)|已经散了|(?:弄|放|救|拉)出来了|(?<![没未])(?:盖|浇|踩|扑|打)灭|"
    r"(?:已经|已)被?(?:警察|民警|派出所|公安|交警|救护车|120|110|医生|消防)[^,。!?]{0,3}(?:带走|拉走|接走|送走|抓走|控制住|劝下来|救下来)|"
    r"(?:案子|案件|案)(?:已经|已)?破了|已经破案|没砸到人|没有砸到人|协商好了|私了了|(?:已经|已)私了|私了走了|谈好了|(?:已经|已)(?:被)?(?:送|带|领|接|找)回(?:来|去|家)|(?:已经|已)(?:被)?救(?:下来|上来|出来)|退烧了|烧退了|(?:医院|医生)(?:已经)?(?:看过|检查过)了|(?:已经|已)熄火|(?:已经|已)(?:被)?(?:拖走|清走|运走|移走|挪走)|看错了|自己(?:从[^,。!?]{0,4})?下来了|(?:家里人|家人)(?:在)?陪着|(?:已经|已)(?:拧|修|弄|处理|搞|关)好了?|救过来了?|救活了|救了(?:一个|个|两个)|救起了?|见义勇为|(?:案子|案件)(?:已经)?在走(?:司法)?程序|已经立案|帮(?:我|我们|他|她|忙)(?:把门)?(?:打)?开(?:了)?门?了|已经(?:好(?!久|几|多|长|一会)|没事|恢复|正常)|人没事|没什么大碍|没大碍|有点青|擦破(?:了)?点皮|轻微伤|小伤"
)
# Still stuck after "人没事": the car blocks a lane, the event is not over.
RESOLVED_OVERRIDE = re.compile(
    r"脐带|但[^,。!?]{0,4}没(?:气|呼吸|心跳)|按压|又|再次|复燃|(?<![油水渣土沙])还在|重新|还没|跑了|逃了|逃逸|溜了|开走了|但[^,。!?]{0,3}(?:疼|痛)|(?:在|停在|横在)(?:马)?路中间|(?:堵|挡)着路|没(?:有)?(?:扑|浇|打)灭|控制不住|动不了|开不了|挪不了|卡住|(?:停|横|堵|卡)在(?:路|马路|快车道|高速|桥)"
)
PAST = re.compile(
    r"当年|那年|那时候|那会儿|前阵子|前一阵|多年前|前(?:几|两|三|半)个?(?:月|年|周|星期)|上周|上个?星期|上个?礼拜|上回|上一回|上一次|上个月|上月|去年|前年|前几天|前些天|前段时间|上次|那次|那天|当时|之前|以前|曾经|"
    r"年前|月前|天前|周前|前晚|前夜|前些日子|前[两三四五六七八九十几]天|那场|那起|那件事|那回|那事|"
    r"过去(?:了)?(?:好)?[一两三四五六七八九十半几]+(?:个)?(?:年|月|天|星期|周)|星期前|礼拜前|(?<![半一两二三几])小时前|(?<![半一两二三几])个小时前|几年前|(?:昨天|昨晚|前天)(?![^,。!?]{0,3}(?:开始|起))|年初|月初|过年的时候|小时候|(?<!\d)\d{1,2}月\d{1,2}[日号]|"
    r"[一二三四五六七八九十]+月[一二三四五六七八九十]+[日号]|(?<!\d)(?:19|20)\d\d年"
)
# Past words that leave a lasting state (someone missing) over: not "昨天", "前天晚上", "三天前".
LONG_AGO = re.compile(r"(?!昨天|昨晚|前天|前晚|前夜|前[两三]天|天前|[一两二三]天前)(?:" + PAST.pattern + ")")
AFTERMATH = re.compile(
    r"遭了(?:火灾|灾)|受灾|灾后|赔偿|理赔|保险|报销|定损|索赔|追责|起诉|维权|责任认定|认定|医药费|修车|维修费|误工费|处理结果|赔钱|不赔|"
    r"怎么赔|赔付|鉴定|调解|(?<![要想说非])私了|判决|立案|判了|拘留了|案子|案件|进展|回执|笔录|出警记录|报案|事故证明|火灾证明|"
    r"损失|补偿|(?:抢劫|盗窃|诈骗|伤害|命)案|后续|善后|费用|退钱|退款|追究|责任|后遗症|复查|康复|住院费|开证明|没人修|一直没人(?:修|管|处理|来修)|一直没(?:补|修|换)|没人处理|保修|锦旗|"
    r"表扬|感谢"
)
ADMIN = re.compile(
    r"app|APP|能报吗|能不能报|补办|去哪(?:里|儿)?取|是不是被拖|小程序|叫什么名字|工伤|申报|收费(?!站|口|处)|多少钱|怎么收费|办理|申请|补助|补贴|证明|(?:什么|哪些|提交|准备|带)材料|流程|手续|政策|疫苗|课程|考试|招聘|驾照|违章|罚单|扣分|"
    r"电话是多少|号码是多少|怎么联系|咨询|请问.{0,6}(?:哪里|哪儿|怎么|如何|什么)|在哪里买|哪里买|哪里可以买|"
    r"怎么配|怎么用|使用方法|有效期|年检|检测|检查|整改|宣传栏|标识|标志"
)
POLLUTION = re.compile(
    r"烟囱|排放|污染|烧烤|焚烧|烧秸秆|烧垃圾|烧纸|烧树叶|熏得|熏人|呛人|异味|环保|扰民|烧东西|露天烧|排烟|"
    r"(?<!废弃)(?<!废弃的)工厂|(?<!废弃)(?<!废弃的)厂子|化工|臭味|气味难闻|臭得|臭死|难闻|烧电线|剥铜|烧轮胎|烧塑料|烧橡胶|烧锅炉|喷漆|焊接|电焊|焊东西"
)
# Still going on now, said after a habit word: today's incident, not the habit.
STILL_GOING = re.compile(
    r"现在(?:还|正|又)|正在|还在(?!用|住)|(?:今天|今晚|刚才|刚刚)(?:又|还)|一直在(?:喊|哭|叫|打|砸)"
)
NOW = re.compile(r"现在|此刻|这会儿|眼下|目前|今天|今早|今晚|刚才|刚刚")
STRONG_PRESENT = re.compile(
    r"(?:今天|今晚|明天|下午|晚上|马上|待会)[^,。!?]{0,6}(?:要|就)(?:去|来)[^,。!?]{0,10}(?:砍|杀|捅|炸|报复|算账)|正在(?!处理|修|协商|办|调解|排查)|还在烧|火越来越大|越烧越大|快来|快点来|赶紧来|赶紧派|马上来|马上派|快派|救命|快救|出不来|等着救|"
    r"现在正|现在又|又着火|又冒烟|又打|又开始|复燃|快不行|来不及|救救|help|sos|kuai ?lai|jiu ?ming|"
    r"往外(?:喷|冒|涌)|控制不住了|(?:直播|视频)还(?:开着|在)|(?:正在|还在)直播"
)
PRESENT = re.compile(
    r"正在|还在|(?<!到)现在还(?!能|可以|有没有|要|得|需要|没人|不)|现在正|现在又|刚刚|刚才|快来|快点|快救|快派|赶紧|马上|就在|此刻|一直在|一直流|"
    r"一直冒|一直昏|一直叫不醒|有人在|救命|此时|目前还|这会儿|眼下|立刻|还没(?:找到|回来|醒|走)|至今|仍然|仍在|"
    r"(?:到现在|现在)(?:都|也|还)?(?:没|没有|未)(?:找到|回来|回家|联系上|消息|音讯|醒)|(?:都|也|一直)在(?:吐|拉|抽|抖|流|咳|喘|哭|喊|叫|冒)|"
    r"现在(?:他|她|对方|他们|骗子|有人)(?:正|还)?在|在往外转|开始(?:吐|抽|抖|说胡话|发紫|喘|昏|翻白眼)|越来越(?:厉害|严重|重|疼|痛|大|多)|更(?:厉害|严重)了|加重了|一直出(?:冷)?汗"
)
# "In progress" for triggers that are only emergencies while happening (theft, stalking).
IN_PROGRESS = re.compile(
    PRESENT.pattern
    + r"|现在|在开车|一路|在(?:偷|撬|翻|砸|跟|剪)|没走|门外|门口|楼下|家里|屋里|进来了|跟着我|我家|敲门|硬要进"
)
# Acute words: a pollution-sounding sentence with these is an incident, not a complaint.
ACUTE = re.compile(
    r"(?:轰|砰|嘭|嘣)的一声|巨响|地都(?:在)?震|泄漏|泄露|蔓延|控制不住|(?:好多|很多|不少|一群|几个)人(?:都)?(?:在)?(?:咳|晕|吐|流泪|喘)|(?:桶|罐|瓶|管道?)漏了|爆炸|有毒气体|毒气|中毒|晕倒|着火|起火|火光|明火|烧起来|火苗|在烧(?!电线|垃圾|秸秆|树叶|纸|塑料|轮胎|东西|烤)|(?:楼道|走廊|屋|家|房间|楼梯)[^,。!?]{0,3}(?:全|都)是(?:黑)?烟(?!味)|着起来|点着|着了火|着货|招火|噼里啪啦|噼啪|火[^,。!?]{0,6}冒出来|"
    r"(?:地下室|车库|楼道|仓库|屋里|家里|房间|电梯|配电|电箱|厨房|后厨)[^,。!?]{0,4}冒(?:黑|浓)?烟"
)
WEATHER = re.compile(WEATHER_DAMAGE + r"|台风|冰雹|暴雨|大风|狂风")
# Animals and belongings that go missing (the missing-person triggers must not fire on them).
ANIMAL_OR_OBJECT = re.compile(
    r"公司|老板|商家|店|定金|订金|押金|租金|货款|钱|中介|房东|卖家|工头|"
    r"猫|狗|鸟|鹦鹉|宠物|乌龟|兔|鱼|仓鼠|鸡|鸭|鹅|羊|牛|猪|证|卡|本|包|手机|钥匙|快递|车|箱"
)
# "邻居家的猫被大爷打了": the one hurt is an animal (a complaint for the police station, not 110 now).
ANIMAL_VICTIM = re.compile(r"(?:猫|猫咪|狗|狗狗|宠物|鸟|鸡|鸭|鹅|羊|牛|猪|兔子?)(?:被|让|给)(?!人咬|咬)")
FIGURATIVE_HELP = re.compile(
    r"app|APP|软件|系统|团购|快递|外卖|执照|办证|证件|跑了[一二三四五六七八九十几\d]+趟|群主|网购|订单|退款|网站|小程序|注册|登录|登陆|作业|考试|政策|房价|房租|工资|办事|窗口|手续|流程|审批|公积金|社保|"
    r"医保|物业费|停车费|学费|补课|排队|客服|业主|开发商|楼盘|交房|打卡|背单词|家长群|减负|学校"
)
# Complaints about a standing hazard (checked on the unmasked text: the masked phrases hide 隐患).
COMPLAINT_HAZARD = re.compile(
    r"隐患|只有一个(?:出口|通道|门)|高压线(?:底下|下面|旁边)|(?:放|晒|摆|堆)在(?:阳台|楼道|走廊|门口|楼梯|过道|通道|路边|人行道)|不安全|太危险|很危险|多危险|违规|违章|私拉|飞线|乱拉|乱停|占用|堵(?:住|了|塞)?[^,。!?]{0,3}(?:消防|安全|逃生)通道|"
    r"消防通道|安全出口|没人管|不管|督促|整改|投诉|举报"
)
# "就是被车筐刮了一下": a minimiser before the trigger and "一下" after it.
MINIMISED_BEFORE = re.compile(r"就是|只是|轻轻|稍微|不过是")
# "砸伤过", "被打过": the experiential aspect marker puts the event in the past.
EXPERIENCED_AFTER = re.compile(r"过(?![来去])")
# "被蛇咬了应该怎么处理?" with nobody named is a first-aid question; "我被蛇咬了…" is not.
GENERIC_QUESTION_AFTER = re.compile(
    r"了?[,]?(?:一般)?(?:应该|该|要)?(?:怎么|如何|咋)(?:处理|办|弄)|了?[,]?(?:是不是|要不要|需不需要|该不该)(?:要|得|先)?"
)
ANCHOR = re.compile(
    r"我|俺|咱|偶|家|孩子|小孩|宝宝|老人|爸|妈|爷|奶|外公|外婆|老公|老婆|朋友|同事|邻居|有人|他|她|现在|刚|这里|这边"
)
SENTENCE_SPLIT = re.compile(r"[。！？!?;；\n]+")
CLAUSE_SPLIT = re.compile(r"[,，、:：\s]+")
HYPOTHETICAL_WINDOW = 12
# How far before a trigger a past word in its own clause still frames it ("上个月那次食物中毒").
OWN_PAST_WINDOW = 24
_WORRIES = frozenset({"怕", "担心", "害怕", "生怕"})
# A named condition (not a symptom) with paperwork or its long-term course: "脑梗后遗症能办残疾证吗".
DIAGNOSIS = re.compile(r"脑梗|心梗|心肌梗|中风|脑出血|脑溢血|溺水|中毒|烧伤|烫伤|心脏病|骨折|癫痫")
ILLNESS_ADMIN = re.compile(
    r"后遗症|残疾|备案|补贴|工伤|医保|报销|身亡|去世|死亡|植皮|康复|卧床|住院|出院|护理|病假|异地就医|赔偿|鉴定|慢性病|"
    r"病史|[一二两三四五六七八九十几\d]+年了?"
)
# Habitual situations are complaints, not incidents in progress (unless a strong present marker).
HABITUAL = re.compile(
    r"天天|每天|经常|通宵|多年|好多年|这么多年|总是|老是|整天|三天两头|每次|长期|好几天了|好多次|每晚|每天晚上|成日|一到(?:夏天|冬天|晚上)|"
    r"冬天结冰|下雨天|雨天|一下雨|一下雪|每逢"
)


class TextIndex:
    """Sentence and clause boundaries of one text, found once, with memoised regex searches.

    Every trigger match asks about its sentence, clause and window; without the index a long text
    that repeats a trigger would cost time quadratic in its length.
    """

    def __init__(self, text: str, soft_cuts: tuple[int, ...] = ()) -> None:
        self.text = text
        # Where the citizen put a space that normalisation dropped ("胸口疼 以前有高血压"): a clause
        # boundary for framing only, since spaces also fall inside words ("没有 着火").
        self._soft_cuts = soft_cuts
        self._sent_starts = [0]
        self._sent_ends: list[int] = []
        for m in SENTENCE_SPLIT.finditer(text):
            self._sent_ends.append(m.start())
            self._sent_starts.append(m.end())
        self._sent_ends.append(len(text))
        seps = list(CLAUSE_SPLIT.finditer(text))
        self._sep_starts = [m.start() for m in seps]
        self._sep_ends = [m.end() for m in seps]
        self._memo: dict[tuple[int, int, int], re.Match[str] | None] = {}
        self._cache: dict[tuple[str, int, int], str | None] = {}

    def cached(self, key: tuple[str, int, int], compute: Callable[[], str | None]) -> str | None:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def search(self, pattern: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        key = (id(pattern), start, end)
        if key not in self._memo:
            self._memo[key] = pattern.search(self.text, start, end)
        return self._memo[key]

    def own_clause_start(self, pos: int) -> int:
        """Start of the clause holding `pos`, starting also at the last dropped space before it."""
        c_start, _ = self.clause(pos)
        k = bisect.bisect_right(self._soft_cuts, pos) - 1
        return max(c_start, self._soft_cuts[k]) if k >= 0 else c_start

    def framing_end(self, end: int) -> int:
        """End of the trigger's own clause, ending also at the first dropped space after it."""
        _, c_end = self.clause(max(0, end - 1))
        k = bisect.bisect_left(self._soft_cuts, end)
        return min(c_end, self._soft_cuts[k]) if k < len(self._soft_cuts) else c_end

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._sent_starts, pos) - 1
        return self._sent_starts[i], self._sent_ends[i]

    def clause(self, pos: int) -> tuple[int, int]:
        s_start, s_end = self.sentence(pos)
        j = bisect.bisect_right(self._sep_ends, pos) - 1
        c_start = max(s_start, self._sep_ends[j]) if j >= 0 else s_start
        k = bisect.bisect_left(self._sep_starts, pos)
        c_end = min(s_end, self._sep_starts[k]) if k < len(self._sep_starts) else s_end
        return c_start, c_end

    def window(self, pos: int) -> tuple[int, int]:
        """The clause holding `pos`, one clause before it and two after it, inside the sentence.

        Context words act on nearby clauses only: a long message that complains about one thing and
        reports a fire in passing must still raise the fire.
        """
        s_start, s_end = self.sentence(pos)
        j = bisect.bisect_right(self._sep_ends, pos) - 1
        nearby = self._sep_ends[max(0, j - 2) : j + 5]
        cuts = sorted({s_start, s_end, *(c for c in nearby if s_start < c <= s_end)})
        idx = max(i for i, c in enumerate(cuts) if c <= pos)
        return cuts[max(0, idx - 1)], cuts[min(len(cuts) - 1, idx + 3)]


def soft_cuts(norm: Normalized) -> tuple[int, ...]:
    """Positions of the normalised text where whitespace between Chinese characters was dropped.

    None for a spaced-out text ("我 家 着 火 了", a voice or SMS artefact): its spaces mean nothing.
    """
    original, starts, ends = norm.original, norm.starts, norm.ends
    cuts = tuple(
        i
        for i in range(1, len(norm.text))
        if starts[i] > ends[i - 1] and any(ch.isspace() for ch in original[ends[i - 1] : starts[i]])
    )
    return () if len(cuts) * 4 > len(norm.text) else cuts


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    return TextIndex(text).sentence(pos)


def blocked_by(
    index: TextIndex, start: int, end: int, *, needs_present: bool, critical: bool, lasting: bool = False
) -> str | None:
    """The hard-case family that makes text[start:end] not a present emergency, or None."""
    text = index.text
    s_start, s_end = index.sentence(start)
    c_start, c_end = index.clause(start)
    w_start, w_end = index.window(start)
    before_clause = text[max(c_start, start - HYPOTHETICAL_WINDOW) : start]
    after_clause = text[end : min(c_end, end + 24)]  # the AFTER patterns only look at its start

    def near(pattern: re.Pattern[str]) -> bool:
        return index.search(pattern, w_start, w_end) is not None

    def framing(pattern: re.Pattern[str]) -> bool:
        """A life-threatening trigger is put in the past or in hearsay only by words before it or in its
        own clause: "胸口疼得直冒冷汗 以前有高血压" and "喊他不应 听说地窖会缺氧" are happening now."""
        if not critical:
            return near(pattern)
        m = index.search(pattern, w_start, max(end, index.framing_end(end)))
        # "之前吵架 现在其中一个拿出了刀": a "now" between the framing word and the trigger resets it.
        return m is not None and not (m.end() <= start and _now_between(text, m.end(), start))

    if NEGATION_BEFORE.search(before_clause[-8:]):
        return "negated"
    if MISTAKEN_BEFORE.search(before_clause):
        return "mistaken (what the citizen first thought)"
    if not critical and index.search(CORRECTION, s_start, start):
        return "negated (not that, but something ordinary)"
    if MINIMISED_BEFORE.search(before_clause) and after_clause.startswith("一下"):
        return "minor (just a scrape)"
    if end > start and EXPERIENCED_AFTER.match(after_clause):
        return "past event"
    # A lasting state started in the past is still going unless the citizen asks about its aftermath.
    past = PAST if not lasting or near(AFTERMATH) else LONG_AGO
    own_past = index.search(past, max(index.own_clause_start(start), start - OWN_PAST_WINDOW), start)
    if own_past is not None and not _now_between(text, own_past.end(), start):
        return "past event"  # "上个月那次食物中毒…现在又开门了": even a strong "now" elsewhere is another event
    if index.search(STRONG_PRESENT, s_start, s_end):
        return None
    opening_past = index.search(past, s_start, min(start, s_start + 10))
    if (
        opening_past is not None
        and not _now_between(text, opening_past.end(), start)
        # Scanned once per text, not once per trigger match: a long letter holds many matches.
        and index.cached(("appeal_letter", 0, 0), lambda: "yes" if is_appeal_letter(text) else None)
        and not has_present(index, w_start, w_end)
    ):
        return "past event"  # "上周二早上我在地铁站…晕倒了。…这个费用收得合理吗"
    if framing(INFORMATIONAL):
        return "informational (news, drill, hearsay)"
    if GENERIC_QUESTION_AFTER.match(after_clause) and not index.search(ANCHOR, s_start, s_end):
        return "hypothetical, risk or prevention question"
    if _hypothetical_before(index, start, before_clause) or HYPOTHETICAL_AFTER.search(after_clause):
        return "hypothetical, risk or prevention question"
    if near(KNOWLEDGE):
        return "knowledge question (symptoms, prevention, first aid)"
    resolved = index.search(RESOLVED, w_start, w_end)
    if (
        resolved is not None
        and not RESOLVED_OVERRIDE.search(text, end, w_end)
        and not (FIRE_OUT.search(resolved.group(0)) and HURT.search(text, start, end))
    ):
        return "resolved"
    present = has_present(index, w_start, w_end)
    if DIAGNOSIS.fullmatch(text, start, end) and near(ILLNESS_ADMIN) and not present:
        return "administrative question about an illness"
    if framing(past) and (not present or (not critical and near(AFTERMATH))):
        return "past event"
    # A life-threatening trigger is never explained away by a complaint or admin word alone.
    if not critical and near(AFTERMATH) and not present:
        return "aftermath (claims, compensation, follow-up)"
    if not critical and near(ADMIN) and not present:
        return "administrative question"
    habit = index.search(HABITUAL, w_start, w_end)
    if (
        not critical
        and habit is not None
        and not (habit.end() <= start and _now_between(text, habit.end(), start))
        and not index.search(STILL_GOING, habit.end(), s_end)  # "每天晚上都被打…现在还在打"
    ):
        return "habitual (a complaint, not an incident in progress)"
    if needs_present and not near(IN_PROGRESS):
        return "not in progress"
    return None


def is_appeal_letter(text: str) -> bool:
    """A long message that asks the hotline for a policy, an inspection, a repair or an explanation."""
    if len(text) <= LONG_LETTER:
        return False
    asks = {m.group(0) for m in APPEAL.finditer(text)}
    return len(asks) >= 2 or (len(asks) == 1 and len(text) > VERY_LONG_LETTER)


def _now_between(text: str, start: int, end: int) -> bool:
    """A "now" word shortly before `end` (bounded: a text repeating a trigger must stay linear)."""
    return NOW.search(text, max(start, end - OWN_PAST_WINDOW), end) is not None


def _hypothetical_before(index: TextIndex, start: int, before_clause: str) -> bool:
    """A conditional or worry word before the trigger; a worry only inside the trigger's own spaced clause
    ("我好怕 有个男的在拧门把手" is fear of what is happening, "怕着火" a worry about what might)."""
    m = HYPOTHETICAL_BEFORE.search(before_clause)
    c_start, _ = index.clause(start)
    if m is None and OR_CONTINUES.match(index.text, c_start):
        # "万一哪天他摔倒了，或者半夜心脏不舒服": the alternative shares the first clause's "万一".
        m = HYPOTHETICAL_BEFORE.search(index.text, max(0, index.clause(max(0, c_start - 2))[0]), c_start)
    if m is None:
        c_start, _ = index.clause(start)
        padded = index.text[max(c_start, start - 2 * HYPOTHETICAL_WINDOW) : start]
        m = HYPOTHETICAL_BEFORE.search(FILLERS.sub("", padded)[-HYPOTHETICAL_WINDOW:])
    if m is None:
        return False
    if m.group(0) not in _WORRIES:
        return True
    own = index.text[max(index.own_clause_start(start), start - HYPOTHETICAL_WINDOW) : start]
    return HYPOTHETICAL_BEFORE.search(own) is not None


def has_present(index: TextIndex, start: int, end: int) -> bool:
    """A present marker in text[start:end]; "有人在" right after a past time ("前晚有人在…") is not one."""
    text = index.text
    for m in PRESENT.finditer(text, start, end):
        if m.group(0) == "有人在" and PAST.search(text[max(start, m.start() - 4) : m.start()]):
            continue
        return True
    return False


def pollution_complaint(index: TextIndex, start: int) -> bool:
    s_start, s_end = index.sentence(start)
    return (
        index.search(POLLUTION, s_start, s_end) is not None
        and index.search(STRONG_PRESENT, s_start, s_end) is None
        and not _acute(index, s_start, s_end)
    )


def _acute(index: TextIndex, start: int, end: int) -> bool:
    """An unnegated acute word: "不是着火 是在熏腊肉" is still a smoke complaint."""
    text = index.text
    return any(
        not NEGATION_BEFORE.search(text[max(start, m.start() - 8) : m.start()])
        for m in ACUTE.finditer(text, start, end)
    )


def mask_phrases(text: str) -> str:
    """Blank out phrases that contain trigger text but are not emergencies (same length)."""
    return MASKED_PHRASES.sub(lambda m: "□" * len(m.group(0)), text)
