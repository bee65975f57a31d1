"""Extraction on sentences written for these tests, in the phrasings of news from any province.

None of these sentences comes from the corpus or the development texts: they exercise the general
rules (national places, verb-mediated posts, work teams, bodies named by their kind, lists) on names
the rules were never tuned on.
"""

from __future__ import annotations

import pytest

from kg.extract import extract_candidates
from kg.types import Document

pytestmark = pytest.mark.slow


def candidates(nlp, text: str):
    doc = Document("t.txt", text, text, tuple(range(len(text))))
    return extract_candidates(doc, nlp(text)._.mentions)


def facts_of(nlp, text: str) -> set[tuple[str, str, str]]:
    return {(c.subject.name, c.predicate, c.object.name) for c in candidates(nlp, text)}


PRESENT = [
    # places of other provinces, chained; provinces and prefectures by their short forms
    ("甘肃省定西市通渭县平襄镇西关村是一个产业村。", ("通渭县", "locatedIn", "定西市")),
    ("甘肃省定西市通渭县平襄镇西关村是一个产业村。", ("西关村", "locatedIn", "平襄镇")),
    ("安徽合肥市肥西县的柏堰村迎来了新的发展。", ("合肥市", "locatedIn", "安徽省")),
    ("贵州黔东南州黎平县茅贡镇地扪村游客不断。", ("黎平县", "locatedIn", "黔东南苗族侗族自治州")),
    # a village named by one character after its town, and again later without it
    ("山东省临沂市兰陵县卞庄街道代村党委书记王传喜说。", ("代村", "locatedIn", "卞庄街道")),
    ("山东省临沂市兰陵县卞庄街道代村党委书记王传喜说。", ("王传喜", "heads", "代村党委")),
    # a verb in front of a place is not part of its name
    ("工作人员来到岷县十里镇红崖村走访。", ("红崖村", "locatedIn", "十里镇")),
    # posts stated with a verb
    ("张建国担任通渭县委组织部部长以来，多次深入基层。", ("张建国", "heads", "通渭县委组织部")),
    # a county committee member who also heads its organisation department (组织部长 contracts 组织部部长)
    ("陇西县委常委、组织部长赵强出席会议。", ("赵强", "heads", "陇西县委组织部")),
    ("陇西县委常委、组织部长赵强出席会议。", ("赵强", "worksFor", "陇西县委")),
    # ranked posts and a list of persons sharing one post
    ("通渭县人民医院常务副院长王丽、李娜参加义诊。", ("王丽", "worksFor", "通渭县人民医院")),
    ("通渭县人民医院常务副院长王丽、李娜参加义诊。", ("李娜", "worksFor", "通渭县人民医院")),
    # a work team named after its unit and its village
    (
        "国网定西供电公司驻通渭县李家店乡马营村帮扶工作队队长刘明说，今年要把路修通。",
        ("国网定西供电公司", "assists", "马营村"),
    ),
    (
        "国网定西供电公司驻通渭县李家店乡马营村帮扶工作队队长刘明说，今年要把路修通。",
        ("刘明", "worksFor", "国网定西供电公司"),
    ),
    (
        "国网定西供电公司驻通渭县李家店乡马营村帮扶工作队队长刘明说，今年要把路修通。",
        ("刘明", "servesIn", "马营村"),
    ),
    # a team entering a village, its members named later without the team's full name
    (
        "甘肃银行定西分行扶贫工作队进驻柳树村。工作队队员孙丽介绍，村里新建了冷库。",
        ("甘肃银行定西分行", "assists", "柳树村"),
    ),
    (
        "甘肃银行定西分行扶贫工作队进驻柳树村。工作队队员孙丽介绍，村里新建了冷库。",
        ("孙丽", "servesIn", "柳树村"),
    ),
    # a unit sending one of its people to a village
    ("定西市财政局选派王刚到石桥村担任第一书记。", ("王刚", "worksFor", "定西市财政局")),
    ("定西市财政局选派王刚到石桥村担任第一书记。", ("王刚", "servesIn", "石桥村")),
    ("定西市财政局选派王刚到石桥村担任第一书记。", ("定西市财政局", "assists", "石桥村")),
    # a body named by its kind refers back to the last body of that kind
    ("兰州理工大学召开帮扶工作会议。会上，校党委书记李华作了部署。", ("李华", "heads", "兰州理工大学党委")),
    # a post standing alone implies the body of its kind named before
    ("兰州理工大学召开帮扶工作会议，副校长周涛出席。", ("周涛", "worksFor", "兰州理工大学")),
    # a company's party body that LAC leaves outside the company's name, and its other departments
    ("甘肃建投公司党委副书记、纪委书记、工会主席吴刚讲话。", ("吴刚", "heads", "甘肃建投公司纪委")),
    ("甘肃建投公司党委副书记、纪委书记、工会主席吴刚讲话。", ("吴刚", "heads", "甘肃建投公司工会")),
    # units listed as making up a team assist its place
    (
        "由甘肃省交通运输厅、甘肃省农业农村厅两个单位派驻组成的云田镇驻镇帮扶工作队开展入户走访。",
        ("甘肃省交通运输厅", "assists", "云田镇"),
    ),
    (
        "由甘肃省交通运输厅、甘肃省农业农村厅两个单位派驻组成的云田镇驻镇帮扶工作队开展入户走访。",
        ("甘肃省农业农村厅", "assists", "云田镇"),
    ),
    # banks and their branches, power companies, hospitals, police stations, companies, cooperatives
    ("中国农业银行通渭县支行选派李明到马营村担任第一书记。", ("李明", "worksFor", "中国农业银行通渭县支行")),
    (
        "国网甘肃省电力公司定西供电公司党委书记王强到柳树村调研。",
        ("王强", "heads", "国网甘肃省电力公司定西供电公司党委"),
    ),
    ("兰州大学第一医院副院长赵丽带队到石桥村义诊。", ("赵丽", "worksFor", "兰州大学第一医院")),
    ("通渭县公安局平襄派出所所长孙伟走访了西关村。", ("孙伟", "heads", "通渭县公安局平襄派出所")),
    ("甘肃陇原红农业科技有限公司与马营村结对帮扶。", ("甘肃陇原红农业科技有限公司", "assists", "马营村")),
    ("马营村种植专业合作社理事长张华说。", ("张华", "heads", "马营村种植专业合作社")),
    # a post joined to its place by 的, a post held stated with 现任
    ("马营村的第一书记王刚介绍了情况。", ("王刚", "servesIn", "马营村")),
    ("王刚现任定西市财政局副局长。", ("王刚", "worksFor", "定西市财政局")),
    # 该村: the village named before; 挂职 qualifies a post without changing it
    ("定西市财政局驻马营村工作队到岗。该局长期帮扶该村。", ("定西市财政局", "assists", "马营村")),
    ("李强从定西市财政局来到马营村，担任马营村挂职第一书记。", ("李强", "servesIn", "马营村")),
    # the helper named after the cue
    ("马营村的帮扶单位是定西市财政局。", ("定西市财政局", "assists", "马营村")),
    ("帮扶马营村的就是甘肃陇原红农业科技有限公司。", ("甘肃陇原红农业科技有限公司", "assists", "马营村")),
    # a first secretary without a village of his own, right after the village is named
    ("在马营村，驻村第一书记王刚介绍了情况。", ("王刚", "servesIn", "马营村")),
    # a post stated before the name (作为 ...，P), set off by commas after it, or after 是 with its sender
    ("作为马营村驻村第一书记，王刚带领村民修路。", ("王刚", "servesIn", "马营村")),
    ("王刚，定西市财政局干部，现任马营村第一书记。", ("王刚", "worksFor", "定西市财政局")),
    ("王刚是定西市财政局派驻马营村的第一书记。", ("定西市财政局", "assists", "马营村")),
    ("王刚是定西市财政局派驻马营村的第一书记。", ("王刚", "worksFor", "定西市财政局")),
    # a provincial department named by its level (省农业农村厅), its first secretary beside a bare 工作队 post
    (
        "甘肃省召开会议。省农业农村厅驻通渭县李家店乡马营村第一书记、工作队队长王刚说。",
        ("甘肃省农业农村厅", "assists", "马营村"),
    ),
    (
        "甘肃省召开会议。省农业农村厅驻通渭县李家店乡马营村第一书记、工作队队长王刚说。",
        ("王刚", "worksFor", "甘肃省农业农村厅"),
    ),
    # the person after the sending unit's 的 and a post
    ("甘肃省委组织部选派的驻村第一书记王刚来到马营村。", ("王刚", "worksFor", "甘肃省委组织部")),
    ("甘肃省委组织部选派的驻村第一书记王刚来到马营村。", ("王刚", "servesIn", "马营村")),
    # a body named by the community named before (社区志愿服务队)
    ("幸福社区召开居民会议。社区志愿服务队队员王芳介绍了情况。", ("王芳", "worksFor", "幸福社区志愿服务队")),
    # a donation to a village is help
    ("定西市财政局向马营村捐赠了10万元。", ("定西市财政局", "assists", "马营村")),
    # a post given in parentheses after a name
    ("工作队成员包括张敏（驻苇子沟村第一书记）和王涛。", ("张敏", "servesIn", "苇子沟村")),
    # a team post after 是/和 (身边是队员P和老队员Q): members of the team named before
    (
        "他担任定西市财政局驻马营村帮扶工作队队长，身边是队员赵磊和老队员钱芳。",
        ("赵磊", "worksFor", "定西市财政局驻马营村帮扶工作队"),
    ),
    (
        "他担任定西市财政局驻马营村帮扶工作队队长，身边是队员赵磊和老队员钱芳。",
        ("钱芳", "servesIn", "马营村"),
    ),
    # a name NER did not read, inside a list of persons sharing one post
    (
        "定西市财政局驻马营村帮扶工作队成立，队员赵磊、黄平、钱芳（驻柳树村第一书记）进村。",
        ("黄平", "worksFor", "定西市财政局驻马营村帮扶工作队"),
    ),
    # a cue without an object helps the village the sentence goes on to name (X帮扶以来，该村…)
    (
        "柳树村地处山区。自2020年定西市财政局结对帮扶以来，该村修通了公路。",
        ("定西市财政局", "assists", "柳树村"),
    ),
    # help stated by a role noun: the village is the body's 帮扶村, the body acts as its 帮扶单位
    ("柳树村是甘肃银行定西分行的定点帮扶村。", ("甘肃银行定西分行", "assists", "柳树村")),
    ("作为柳树村的帮扶单位，甘肃银行定西分行多次召开专题会议。", ("甘肃银行定西分行", "assists", "柳树村")),
    # a body's party branch paired with a village's: the body helps the village
    ("通渭县林业局党支部与柳树村党支部签订结对共建协议。", ("通渭县林业局党支部", "assists", "柳树村")),
    # a unit sending one of its cadres (选派干部P到…), a person sent (P被派驻到…), a person's unit (来自)
    ("通渭县林业局选派干部孙伟到柳树村担任驻村第一书记。", ("孙伟", "worksFor", "通渭县林业局")),
    ("通渭县林业局选派干部孙伟到柳树村担任驻村第一书记。", ("通渭县林业局", "assists", "柳树村")),
    ("通渭县林业局干部孙伟被选派到柳树村任第一书记。", ("孙伟", "servesIn", "柳树村")),
    ("通渭县林业局干部孙伟被选派到柳树村任第一书记。", ("通渭县林业局", "assists", "柳树村")),
    ("柳树村驻村工作队队长孙伟来自通渭县林业局。", ("孙伟", "worksFor", "通渭县林业局")),
    ("柳树村驻村工作队队长孙伟来自通渭县林业局。", ("通渭县林业局", "assists", "柳树村")),
    # posts given by 现为/被选派为, a member post after 的一名, 帮扶干部, a post taken in a village
    # (在Y村担任)
    ("孙伟现为柳树村驻村第一书记。", ("孙伟", "servesIn", "柳树村")),
    ("孙伟于2022年被选派为柳树村驻村第一书记。", ("孙伟", "servesIn", "柳树村")),
    ("孙伟是通渭县林业局的一名干部。", ("孙伟", "worksFor", "通渭县林业局")),
    ("通渭县林业局帮扶干部孙伟常年吃住在村里。", ("孙伟", "worksFor", "通渭县林业局")),
    ("孙伟在柳树村担任驻村第一书记已有三年。", ("孙伟", "servesIn", "柳树村")),
    # help in an adverbial (在X的帮扶下) and by verbs of help (帮助, 扶持, 挂包)
    ("在通渭县林业局的帮扶下，柳树村建起了冷库。", ("通渭县林业局", "assists", "柳树村")),
    ("柳树村在通渭县林业局的大力帮扶下脱贫摘帽。", ("通渭县林业局", "assists", "柳树村")),
    ("通渭县林业局落实资金20万元，帮助柳树村建起了冷库。", ("通渭县林业局", "assists", "柳树村")),
    ("通渭县林业局挂包柳树村三年来，村里变化很大。", ("通渭县林业局", "assists", "柳树村")),
    # posts joined by 兼, ranked civil-service posts
    ("柳树村党支部书记兼村委会主任孙伟说。", ("孙伟", "heads", "柳树村村委会")),
    ("通渭县林业局四级调研员孙伟介绍。", ("孙伟", "worksFor", "通渭县林业局")),
    # a post after a party-group membership is in the body itself; academic and medical posts
    ("通渭县林业局党组成员、副局长孙伟出席。", ("孙伟", "worksFor", "通渭县林业局")),
    ("兰州交通大学教授孙伟来到柳树村。", ("孙伟", "worksFor", "兰州交通大学")),
    ("通渭县人民医院主治医师孙伟为村民义诊。", ("孙伟", "worksFor", "通渭县人民医院")),
    # a bare post listed after another person's post is in that person's body
    ("通渭县林业局局长孙伟、副局长赵丽来到柳树村。", ("赵丽", "worksFor", "通渭县林业局")),
    # where a place lies, stated in words (位于, 隶属于, 所辖, 下辖的, X县的Y镇)
    ("柳树村位于陇西县文峰镇东部，距县城10公里。", ("柳树村", "locatedIn", "文峰镇")),
    ("位于陇西县文峰镇的柳树村今年种上了中药材。", ("柳树村", "locatedIn", "文峰镇")),
    ("柳树村隶属于陇西县文峰镇。", ("柳树村", "locatedIn", "文峰镇")),
    ("文峰镇所辖柳树村、石桥村两个村。", ("石桥村", "locatedIn", "文峰镇")),
    ("陇西县的文峰镇和首阳镇都在推进产业发展。", ("首阳镇", "locatedIn", "陇西县")),
    # the helper named right after the role (Y村的帮扶单位X), several of them, bodies acting together
    ("石桥村的帮扶单位通渭县林业局为村里修了路。", ("通渭县林业局", "assists", "石桥村")),
    ("石桥村的驻村帮扶单位是通渭县林业局和甘肃银行定西分行。", ("甘肃银行定西分行", "assists", "石桥村")),
    ("通渭县林业局联合甘肃银行定西分行帮扶石桥村。", ("甘肃银行定西分行", "assists", "石桥村")),
    # an article about one village: a unit's village team named without the village works there
    (
        "石桥村地处深山。今年3月，兰州交通大学驻村工作队进驻以来，村里修通了公路。",
        ("兰州交通大学", "assists", "石桥村"),
    ),
    # a village's head named with the unit's last character shared (石桥村主任), 支书 for the party branch
    ("石桥村主任赵丽说。", ("赵丽", "heads", "石桥村村民委员会")),
    ("石桥村支书孙伟带领村民修路。", ("孙伟", "heads", "石桥村党支部")),
    # a unit's people named after it (X的P, X派出的P), an office LAC leaves outside the body, staff posts
    ("来自通渭县林业局的孙伟已在村里工作两年。", ("孙伟", "worksFor", "通渭县林业局")),
    ("通渭县林业局派出的孙伟和赵丽来到石桥村。", ("赵丽", "worksFor", "通渭县林业局")),
    ("通渭县林业局办公室主任孙伟说。", ("孙伟", "heads", "通渭县林业局办公室")),
    ("甘肃银行定西分行客户经理孙伟说。", ("孙伟", "worksFor", "甘肃银行定西分行")),
    # bodies classed as helpers after their list (A、B等两个帮扶单位)
    (
        "定西市政协主席王刚到马营村调研，定西市财政局、甘肃陇原红农业科技有限公司等两个帮扶单位负责人陪同。",
        ("定西市财政局", "assists", "马营村"),
    ),
    (
        "定西市政协主席王刚到马营村调研，定西市财政局、甘肃陇原红农业科技有限公司等两个帮扶单位负责人陪同。",
        ("甘肃陇原红农业科技有限公司", "assists", "马营村"),
    ),
    # a body named by its level only, in an article that never names that city or county, keeps that name
    ("市住建局定点帮扶青山镇白杨村。", ("市住建局", "assists", "白杨村")),
    ("县政协主席孙伟出席会议。", ("孙伟", "heads", "县政协")),
    # a department named by two fields joined with 和
    ("市文化和旅游局向白杨村捐赠图书。", ("市文化和旅游局", "assists", "白杨村")),
    # two bodies a team is sent by, after 由 (LAC reads the pair as one name)
    (
        "驻村工作队由白银市审计局和会宁县农业农村局派出，进驻太白镇平定川村。",
        ("白银市审计局", "assists", "平定川村"),
    ),
    (
        "驻村工作队由白银市审计局和会宁县农业农村局派出，进驻太白镇平定川村。",
        ("会宁县农业农村局", "assists", "平定川村"),
    ),
    # a party branch named without 党 (村支部)
    ("白杨村召开村民大会。村支部书记孙伟主持会议。", ("孙伟", "heads", "白杨村支部")),
    # a street office (街道办事处) is a body
    ("天河区沙河街道办事处与白杨村结对帮扶。", ("沙河街道办事处", "assists", "白杨村")),
    # the helpers listed after the place a cue names and 的
    (
        "荔湾区组团帮扶连平县隆街镇的荔湾区财政局、荔湾区卫健局一行来到隆街镇。",
        ("荔湾区卫健局", "assists", "隆街镇"),
    ),
    # a partner branch whose village closes a chain of places
    ("兰州银行党支部与榆中县甘草店镇车道岭村党支部结对共建。", ("兰州银行党支部", "assists", "车道岭村")),
    # the post a unit sent a person as, before the name; a person with a village post arriving there
    ("作为平凉市水务局派驻的第一书记，马军来到了静宁县城川乡吴庙村。", ("马军", "worksFor", "平凉市水务局")),
    ("作为平凉市水务局派驻的第一书记，马军来到了静宁县城川乡吴庙村。", ("马军", "servesIn", "吴庙村")),
    ("作为平凉市水务局派驻的第一书记，马军来到了静宁县城川乡吴庙村。", ("平凉市水务局", "assists", "吴庙村")),
    (
        "宝鸡市科技局副局长张伟驻扎在陇县东南镇罗家庄村担任第一书记。",
        ("张伟", "servesIn", "罗家庄村"),
    ),
    # a unit's team named with 的 between them
    ("平凉市水务局的驻吴庙村工作队队长马军说。", ("平凉市水务局", "assists", "吴庙村")),
    ("平凉市水务局的驻吴庙村工作队队长马军说。", ("马军", "worksFor", "平凉市水务局")),
    # a village whose name ends with a unit word (红旗村: 旗) stands
    ("永靖县刘家峡镇红旗村村民致富。", ("红旗村", "locatedIn", "刘家峡镇")),
    # a body named by its kind (校) before its full name in the same sentence
    (
        "在校党委书记马军的关心下，兰州理工大学驻吴庙村工作队顺利进驻。",
        ("马军", "heads", "兰州理工大学党委"),
    ),
    # a unit sending staff it does not name; a village said to be what a body helps; help work of a place
    ("兰州理工大学先后选派4名干部到吴庙村任第一书记。", ("兰州理工大学", "assists", "吴庙村")),
    (
        "西北农林科技大学定点帮扶合阳县。学校先后选派3名干部到甘井镇岔峪村任第一书记。",
        ("西北农林科技大学", "assists", "岔峪村"),
    ),
    ("吴庙村是平凉市水务局定点帮扶的贫困村。", ("平凉市水务局", "assists", "吴庙村")),
    ("平凉市水务局负责人表示，将继续做好吴庙村帮扶工作。", ("平凉市水务局", "assists", "吴庙村")),
    # 他/她 opening a clause is the person named before; a post after a name, closed by the full stop
    (
        "马建军是平凉市水务局干部。今年，她被派驻到吴庙村担任第一书记。",
        ("马建军", "servesIn", "吴庙村"),
    ),
    (
        "马建军，平凉市水务局四级主任科员。2022年3月，他来到吴庙村任驻村第一书记。",
        ("马建军", "worksFor", "平凉市水务局"),
    ),
    # the unit of a person stationed in a village, stated in another sentence, helps the village
    (
        "马建军是平凉市水务局干部。今年，她被派驻到吴庙村担任第一书记。",
        ("平凉市水务局", "assists", "吴庙村"),
    ),
    # a name NER glued to the body listed after it; 秘书长 is a member's post
    ("县政协秘书长钱永福及县林业局负责人陪同调研。", ("钱永福", "worksFor", "县政协")),
    # a name with a middle dot
    (
        "新疆维吾尔自治区人民检察院驻村工作队队长阿不都热合曼·买买提介绍。",
        ("阿不都热合曼·买买提", "worksFor", "新疆维吾尔自治区人民检察院"),
    ),
    # a person with a village post (or staying for the village's work) at a village serves there
    ("孙伟已在柳树村驻村两年。", ("孙伟", "servesIn", "柳树村")),
    ("驻村第一书记孙伟在柳树村开展工作。", ("孙伟", "servesIn", "柳树村")),
    # member posts of one kind of body, standing alone: in the last such body named
    (
        "通渭县公安局组织党员志愿者走进马营村。民警李明为村民讲解防诈骗知识。",
        ("李明", "worksFor", "通渭县公安局"),
    ),
    ("通渭县人民医院派出医疗队到马营村义诊。医生王芳为村民量血压。", ("王芳", "worksFor", "通渭县人民医院")),
    # a village said to be one of a higher unit's villages
    ("柳树村曾是陇西县文峰镇12个贫困村之一。", ("柳树村", "locatedIn", "文峰镇")),
    # a list item opening a new chain shares the parent of the first item's town
    ("在陇西县文峰镇柳树村、石桥村及首阳镇马营村，新建了冷库。", ("首阳镇", "locatedIn", "陇西县")),
    # principal posts of provincial departments and procuratorates; a prefecture's head
    ("甘肃省农业农村厅厅长李旺泽到马营村调研。", ("李旺泽", "heads", "甘肃省农业农村厅")),
    ("通渭县人民检察院检察长王刚说。", ("王刚", "heads", "通渭县人民检察院")),
    ("黔东南州州长罗强说。", ("罗强", "heads", "黔东南苗族侗族自治州人民政府")),
    # the village named first and its partner body after 与
    ("曾埔村与福建恒安集团有限公司开展村企联建。", ("福建恒安集团有限公司", "assists", "曾埔村")),
    # a body paying for a village's works
    (
        "福建恒安集团有限公司出资300万元，为曾埔村修建文化广场。",
        ("福建恒安集团有限公司", "assists", "曾埔村"),
    ),
    # a first secretary named without a village, in an article about one village
    (
        "马营村地处深山。今年，定西市财政局驻村第一书记王刚带领村民种植花椒。",
        ("王刚", "servesIn", "马营村"),
    ),
    (
        "马营村地处深山。今年，定西市财政局驻村第一书记王刚带领村民种植花椒。",
        ("定西市财政局", "assists", "马营村"),
    ),
    # a post chain over 驻 and a village; a unit in parentheses; staff words after 的; a person named
    # right after the unit; a unit sending a team of its own to a village
    ("定西市财政局四级调研员、驻马营村第一书记王刚说。", ("王刚", "worksFor", "定西市财政局")),
    ("王刚（定西市财政局派驻）说。", ("王刚", "worksFor", "定西市财政局")),
    ("定西市财政局的党员干部王刚说。", ("王刚", "worksFor", "定西市财政局")),
    ("定西市财政局王刚说。", ("王刚", "worksFor", "定西市财政局")),
    ("宁夏医科大学总医院派出医疗队进驻毛沟村。", ("宁夏医科大学总医院", "assists", "毛沟村")),
    # a title after the name (X局王刚局长), also where NER read it into the name (王刚书记)
    ("通渭县林业局王刚局长说。", ("王刚", "heads", "通渭县林业局")),
    ("通渭县林业局王刚副局长说。", ("王刚", "worksFor", "通渭县林业局")),
    ("马营村党支部王刚书记说。", ("王刚", "heads", "马营村党支部")),
    # team posts listed after 由 (made up of) and 其中 (among them)
    (
        "定西市财政局驻马营村工作队由队长王刚、队员李明和赵丽组成。",
        ("王刚", "heads", "定西市财政局驻马营村工作队"),
    ),
    ("定西市财政局驻马营村工作队共3人，其中队长王刚说。", ("王刚", "servesIn", "马营村")),
    # the unit a person comes from (P从X来到Y村, P从X下派到Y村)
    ("李强从定西市财政局来到马营村，担任挂职第一书记。", ("李强", "worksFor", "定西市财政局")),
    ("2021年，李强从定西市财政局下派到马营村任第一书记。", ("李强", "servesIn", "马营村")),
    # a village's 书记 is its party branch's
    ("马营村书记王刚说。", ("王刚", "heads", "马营村党支部")),
    ("马营村副书记王刚说。", ("王刚", "worksFor", "马营村党支部")),
    # a post held on secondment (挂职) is a post given by a verb
    ("中国农业大学教授李强挂职镇康县副县长。", ("李强", "worksFor", "镇康县人民政府")),
    # a party branch joining several sections of a body (联合党支部)
    ("兰州大学第一医院内科联合党支部书记王丽说。", ("王丽", "heads", "兰州大学第一医院内科联合党支部")),
    # a body's own party branch pairing with a village helps it, not the body (X局党支部, X局机关党支部)
    ("通渭县财政局党支部与马营村结对共建。", ("通渭县财政局党支部", "assists", "马营村")),
    (
        "今年4月，定西市财政局机关党支部与东关社区结对共建，局里党员到社区报到。",
        ("定西市财政局机关党支部", "assists", "东关社区"),
    ),
    ("兰州市审计局机关党支部书记王芳说。", ("王芳", "heads", "兰州市审计局机关党支部")),
    # ... while a village before 由 is still helped by the body after it
    ("马营村由定西市财政局帮扶。", ("定西市财政局", "assists", "马营村")),
    # members listed after 队员包括, 队员还有两人： serve in the team's village and work for the team
    ("定西市财政局驻通渭县马营村工作队队长王刚说，队员包括干部李明和赵丽。", ("李明", "servesIn", "马营村")),
    ("定西市财政局驻通渭县马营村工作队队长王刚说，队员包括干部李明和赵丽。", ("赵丽", "servesIn", "马营村")),
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说，队员包括干部李明和赵丽。",
        ("赵丽", "worksFor", "定西市财政局"),
    ),
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说。工作队队员还有两人：通渭县农业农村局技术员李明和干部赵丽。",
        ("李明", "worksFor", "定西市财政局驻通渭县马营村工作队"),
    ),
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说。工作队队员还有两人：通渭县农业农村局技术员李明和干部赵丽。",
        ("李明", "servesIn", "马营村"),
    ),
    ("吴庙村驻村工作队队长马军说，队员有孙伟、钱芳两人。", ("钱芳", "servesIn", "吴庙村")),
    # a college's teacher serving in a village works for, and is sent by, its university
    (
        "在通渭县马营村的养牛场，驻村第一书记王刚正在喂牛。王刚是兰州大学资源环境学院的副教授。",
        ("兰州大学", "assists", "马营村"),
    ),
    (
        "在通渭县马营村的养牛场，驻村第一书记王刚正在喂牛。王刚是兰州大学资源环境学院的副教授。",
        ("王刚", "worksFor", "兰州大学"),
    ),
    # ... while a college stated to pair with a village helps it itself
    ("兰州大学资源环境学院与马营村结对共建。", ("兰州大学资源环境学院", "assists", "马营村")),
    # a body after an opening adverbial of time is the subject a later cue leaves out
    (
        "近日，兰州大学与通渭县签订合作协议。根据协议，学校将继续定点帮扶该县的马营村和石桥村。",
        ("兰州大学", "assists", "石桥村"),
    ),
    ("2023年以来，定西市财政局持续加大投入。今年又结对帮扶了马营村。", ("定西市财政局", "assists", "马营村")),
    # the term of a sent post (第三任, 首任) between the unit and the person
    ("甘肃省财政厅派驻的第三任第一书记王刚到马营村后，修通了路。", ("王刚", "worksFor", "甘肃省财政厅")),
    ("甘肃省财政厅派驻的第三任第一书记王刚到马营村后，修通了路。", ("甘肃省财政厅", "assists", "马营村")),
    ("马营村地处深山。定西市水务局选派的首任驻村第一书记李明说。", ("李明", "worksFor", "定西市水务局")),
    # a grid worker named without a village serves in the village the article is about
    ("通渭县马营村今年种了中药材。网格员王芳负责的第3网格有120户。", ("王芳", "servesIn", "马营村")),
    ("兴庆区东关社区有居民三千户。社区网格员马丽说，她每天走访20户。", ("马丽", "servesIn", "东关社区")),
    # persons sent respectively (分别) by the units listed after 由: each by the unit in the same place
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说，队员李明、赵丽分别由定西市审计局和通渭县林业局选派。",
        ("赵丽", "worksFor", "通渭县林业局"),
    ),
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说，队员李明、赵丽分别由定西市审计局和通渭县林业局选派。",
        ("定西市审计局", "assists", "马营村"),
    ),
    # a national administration's local bureau named after it is one body
    (
        "马营村地处深山。驻村第一书记李明由国家税务总局定西市税务局选派。",
        ("李明", "worksFor", "国家税务总局定西市税务局"),
    ),
    # doctors and teachers a hospital or school sends (援藏医生, 教师) are its staff
    ("定西市人民医院选派的援藏医生王丽常驻马营村卫生室。", ("王丽", "worksFor", "定西市人民医院")),
    ("定西市人民医院选派的援藏医生王丽常驻马营村卫生室。", ("定西市人民医院", "assists", "马营村")),
    ("定西市人民医院选派3名医生到马营村开展义诊。", ("定西市人民医院", "assists", "马营村")),
    # courts by their short names (市中院, 省高院)
    ("铜仁市中院派驻干部到铁坝村。驻铁坝村第一书记、市中院法官冉光明说。", ("冉光明", "servesIn", "铁坝村")),
    (
        "铜仁市中院派驻干部到铁坝村。驻铁坝村第一书记、市中院法官冉光明说。",
        ("冉光明", "worksFor", "铜仁市中院"),
    ),
    ("湖南省高院党组书记王刚说。", ("王刚", "heads", "湖南省高院党组")),
    # a list of places joined by 与 without a word of partnership still shares its chain's parent
    ("甘肃省定西市通渭县与陇西县都是产粮大县。", ("陇西县", "locatedIn", "定西市")),
    # a person right before 驻 (常驻, 驻守) and a village is stationed there, with no village post needed
    (
        "今年，局里选派3名干部驻村：局办公室主任王刚驻李家店乡马营村，干部李娜驻常河镇中林村。",
        ("王刚", "servesIn", "马营村"),
    ),
    (
        "今年，局里选派3名干部驻村：局办公室主任王刚驻李家店乡马营村，干部李娜驻常河镇中林村。",
        ("李娜", "servesIn", "中林村"),
    ),
    ("定西市人民医院派出主治医师张丽、护士马兰常驻陇西县柳树村卫生室。", ("张丽", "servesIn", "柳树村")),
    ("定西市人民医院派出主治医师张丽、护士马兰常驻陇西县柳树村卫生室。", ("马兰", "servesIn", "柳树村")),
    (
        "定西市人民医院派出主治医师张丽、护士马兰常驻陇西县柳树村卫生室。",
        ("定西市人民医院", "assists", "柳树村"),
    ),
    ("技术员赵刚长期驻守在会宁县丁家沟镇石湾村。", ("赵刚", "servesIn", "石湾村")),
    # staff sent to each place of a list (分别到A村、B村和C村)
    (
        "中国银行宁夏分行选派4名干部分别到西吉县兴隆镇杨河村、西吉县将台乡火集村和海原县关桥乡方堡村任第一书记。",
        ("中国银行宁夏分行", "assists", "火集村"),
    ),
    (
        "中国银行宁夏分行选派4名干部分别到西吉县兴隆镇杨河村、西吉县将台乡火集村和海原县关桥乡方堡村任第一书记。",
        ("中国银行宁夏分行", "assists", "方堡村"),
    ),
    (
        "通渭县财政局共派驻2支工作队、5名干部，分别驻守李家店乡马营村和常河镇中林村。",
        ("通渭县财政局", "assists", "中林村"),
    ),
    (
        "通渭县财政局共派驻2支工作队、5名干部，分别驻守李家店乡马营村和常河镇中林村。",
        ("通渭县财政局", "assists", "马营村"),
    ),
]

ABSENT = [
    # a one-character verb after a dotted name is no syllable of it when 着 or 了 follows
    ("队员古丽·吐尔逊拉着老人的手说。", "古丽·吐尔逊拉"),
    ("队员古丽·吐尔逊买了种子。", "古丽·吐尔逊买"),
    # nor are words after it with characters no transliteration uses
    ("艾尔肯·吐尔逊热情地招呼大家。", "艾尔肯·吐尔逊热情"),
    # a county's short form alone is a word or a given name, not the county (黄平县, 公安县)
    ("工作队员黄平、杨明走访了困难群众。", "黄平县"),
    ("县公安局民警走进村里宣讲。", "公安县"),
    # a verb before a place is not part of its name
    ("工作人员来到岷县十里镇红崖村走访。", "来到岷县"),
    # 包村 (to take charge of a village) and 新农村 (the "new countryside") are no villages
    ("兰州大学包村干部李华说。", "大学包村"),
    ("推进新农村建设。", "新农村"),
    # a village's role in help is no village's name
    ("通渭县林业局向结对帮扶村石桥村捐赠资金5万元。", "帮扶村"),
    ("通渭县林业局向结对帮扶村石桥村捐赠资金5万元。", "结对帮扶村"),
    # 农村 (the countryside) ends no village's name; a deep mountain area (深山区) is no district
    ("福建省农业农村厅召开会议。", "农业农村"),
    ("地处秦岭深山区的白杨村交通不便。", "秦岭深山区"),
    # a village ranked first in something (X第一村) is praised, not named
    ("马营村是全县马铃薯种植第一村。", "全县马铃薯种植第一村"),
    ("马营村是全县马铃薯种植第一村。", "马铃薯种植第一村"),
    ("这里被誉为西北养牛第一村。", "西北养牛第一村"),
]

FACTLESS = [
    # ... but not where the article names several villages
    ("石桥村和柳树村地处深山。兰州交通大学驻村工作队进驻以来，变化很大。", "兰州交通大学"),
    # a place's parent is the unit right above it when the text gives that too
    ("陇西县文峰镇柳树村产业兴旺。陇西县的柳树村远近闻名。", "柳树村→陇西县"),
    # a village is never inside the county it is said to lie in (位于 is no link of a chain)
    ("柳树村位于陇西县文峰镇东部。", "陇西县"),
    # a body inside 在…的率领下 leads the visit; it is not said to help the village
    ("在定西市财政局局长王刚的带领下，调研组结对帮扶马营村。", "定西市财政局"),
    # a short word between persons that is no family name's is not read as a person
    ("队员赵磊、调研、钱芳走访了困难群众。", "调研"),
    # a town's body named by its level only, with no town named before, is no specific body
    ("镇党委书记赵丽说。", "赵丽"),
    # places joined by 与 before a word of partnership are partners of other regions, not a list
    ("2022年以来，浙江省杭州市萧山区与黔东南州从江县开展东西部协作。", "从江县→杭州市"),
    ("江苏省苏州市吴江区与平江县签订了结对帮扶协议。", "平江县→苏州市"),
    ("天津市河西区同甘南县建立对口支援关系。", "甘南县→天津市"),
    # a team named after its village only says nothing of who helps the village
    ("吴庙村驻村工作队队长马军说。", "吴庙村驻村工作队"),
]

# Facts the rules must not give: a visitor arriving in a village does not serve there; a body leading a
# visit (在…的带领下) does not do the help work the visit inspects.
MISSING = [
    ("县长王刚说，要为马营村争取资金。", ("王刚", "assists", "马营村")),
    ("马营村和石桥村结对共建。", ("石桥村", "assists", "马营村")),
    # a village the text names but the finder does not know (驻新庄第一书记) is not the article's village
    ("马营村地处深山。驻新庄第一书记王刚说。", ("王刚", "servesIn", "马营村")),
    ("县长孙伟在柳树村调研。", ("孙伟", "servesIn", "柳树村")),
    ("县委书记强调，要做好帮扶工作。", ("强调", "heads", "县委")),
    ("县长马军来到吴庙村调研。", ("马军", "servesIn", "吴庙村")),
    ("在平凉市水务局局长马军的带领下，调研组检查吴庙村帮扶工作。", ("平凉市水务局", "assists", "吴庙村")),
    # a place after 由 does the help of a passive; it is not helped
    (
        "马营村党支部书记王刚说，村里的冷库由浙江省宁波市鄞州区首南街道出资援建。",
        ("马营村党支部", "assists", "首南街道"),
    ),
    (
        "马营村党支部书记王刚说，村里的冷库由浙江省宁波市鄞州区首南街道出资援建。",
        ("王刚", "assists", "首南街道"),
    ),
    # a member named with a unit of his or her own is not said to work for the team's sender
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说。工作队队员还有两人：通渭县农业农村局技术员李明和干部赵丽。",
        ("李明", "worksFor", "定西市财政局"),
    ),
    # persons after the clause of the list are no members
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说，队员包括干部李明，县长孙伟也来了。",
        ("孙伟", "servesIn", "马营村"),
    ),
    # the college of a teacher serving in a village is not said to help it
    (
        "在通渭县马营村的养牛场，驻村第一书记王刚正在喂牛。王刚是兰州大学资源环境学院的副教授。",
        ("兰州大学资源环境学院", "assists", "马营村"),
    ),
    # a body after another opening (a place, a meeting) is no topic; a cue opening 帮扶单位 is a noun
    (
        "在马营村，定西市财政局召开座谈会。会上，帮扶干部介绍了石桥村的情况。",
        ("定西市财政局", "assists", "石桥村"),
    ),
    (
        "11月2日，定西市政协主席王刚一行到马营村调研。座谈会上，各帮扶单位和马营村汇报了工作。",
        ("定西市政协", "assists", "马营村"),
    ),
    # ... but not where the article names several villages
    ("马营村和石桥村地处深山。网格员王芳负责的第3网格有120户。", ("王芳", "servesIn", "马营村")),
    # ... and not by the other one
    (
        "定西市财政局驻通渭县马营村工作队队长王刚说，队员李明、赵丽分别由定西市审计局和通渭县林业局选派。",
        ("李明", "worksFor", "通渭县林业局"),
    ),
    # the bureau whose branch pairs with a village is not itself said to help it
    ("通渭县财政局党支部与马营村结对共建。", ("通渭县财政局", "assists", "马营村")),
    ("今年4月，定西市财政局机关党支部与东关社区结对共建。", ("定西市财政局", "assists", "东关社区")),
    # 驻 before a city is no stationing (驻马店市), and a person merely visiting serves nowhere
    ("驻马店市客商王刚来到马营村考察。", ("王刚", "servesIn", "马营村")),
    ("县长马军到吴庙村调研驻村工作。", ("马军", "servesIn", "吴庙村")),
    # without 分别 a list after the sending verb is not shared out: only places the text sends people to
    ("通渭县财政局选派干部到马营村，与石桥村开展交流。", ("通渭县财政局", "assists", "石桥村")),
]


@pytest.mark.parametrize("text,fact", PRESENT)
def test_general_rules_find_the_fact(nlp, text, fact):
    assert fact in facts_of(nlp, text)


@pytest.mark.parametrize("text,name", FACTLESS)
def test_general_rules_give_no_fact_to_a_word_that_is_no_name(nlp, text, name):
    if "→" in name:  # child→parent: no locatedIn between them
        child, parent = name.split("→")
        assert (child, "locatedIn", parent) not in facts_of(nlp, text)
    else:
        assert all(c.subject.name != name for c in candidates(nlp, text))


@pytest.mark.parametrize("text,fact", MISSING)
def test_general_rules_do_not_overreach(nlp, text, fact):
    assert fact not in facts_of(nlp, text)


@pytest.mark.parametrize("text,name", ABSENT)
def test_general_rules_do_not_invent_a_name(nlp, text, name):
    names = {m.name for m in nlp(text)._.mentions}
    assert name not in names


def test_places_carry_their_official_code(nlp):
    mentions = {m.name: m for m in nlp("内蒙古鄂尔多斯市乌审旗图克镇乌兰什巴台村。")._.mentions}
    assert mentions["乌审旗"].code == "150626"
    assert mentions["图克镇"].code.startswith("150626")
    assert mentions["乌兰什巴台村"].code == ""  # villages are not in the table


def test_a_township_name_alone_has_no_code(nlp):
    # 城关镇 is the name of hundreds of townships: without its county the table cannot tell which
    mentions = [m for m in nlp("城关镇召开会议。")._.mentions if m.name == "城关镇"]
    assert mentions and mentions[0].code == ""


def test_the_county_named_in_the_document_picks_the_township(nlp):
    mentions = [m for m in nlp("永登县召开会议。城关镇的干部参加。")._.mentions if m.name == "城关镇"]
    assert mentions and mentions[0].code == "620121100"  # the 城关镇 of 永登县


def test_a_chain_the_table_contradicts_is_no_chain(nlp):
    # 番禺区 (Guangzhou) does not contain 五华县 (Meizhou): the two are only neighbours in the text
    facts = facts_of(nlp, "番禺区组团帮扶五华县梅林镇开展工作。")
    assert ("五华县", "locatedIn", "番禺区") not in facts
    assert ("梅林镇", "locatedIn", "五华县") in facts


# Names LAC cut or misread and posts in the shapes of institutional news (T2 rules), each sentence with
# the facts that must come out and the facts that must not: (text, present, absent).
NAMES_AND_POSTS = [
    # a dotted name's last part runs on over words of transliteration characters LAC tore off
    (
        "疏勒县委副书记、县长阿里木·阿不都热依木到村调研。",
        [("阿里木·阿不都热依木", "heads", "疏勒县人民政府"), ("阿里木·阿不都热依木", "worksFor", "疏勒县委")],
        [("阿里木·阿不", "heads", "疏勒县人民政府")],
    ),
    (
        "托里县多拉特乡塔斯特村党支部书记努尔兰·吐尔逊别克告诉记者，今年收入翻了一番。",
        [("努尔兰·吐尔逊别克", "heads", "塔斯特村党支部")],
        [("努尔兰·吐尔逊", "heads", "塔斯特村党支部")],
    ),
    ("伽师县委副书记、县长买买提·吐尔逊江介绍了情况。", [("买买提·吐尔逊江", "heads", "伽师县人民政府")], []),
    # ... and a last syllable LAC read as a verb, before another verb (not before 了 or 着)
    (
        "和田县卫生健康委主任买买提江·阿布都拉陪同医疗队。",
        [("买买提江·阿布都拉", "heads", "和田县卫生健康委")],
        [],
    ),
    # ... and a first syllable LAC tore off before it
    (
        "自治区交通运输厅驻阿克村工作队队长、第一书记热合曼·艾则孜说，拱棚建成了。",
        [("热合曼·艾则孜", "heads", "自治区交通运输厅驻阿克村工作队")],
        [("合曼·艾则孜", "heads", "自治区交通运输厅驻阿克村工作队")],
    ),
    # a Tibetan name of two elements LAC read as one
    (
        "玛沁县拉加镇德吉村党支部书记索南才让说，草场恢复了。",
        [("索南才让", "heads", "德吉村党支部")],
        [("索南", "heads", "德吉村党支部")],
    ),
    (
        "刚察县哈尔盖镇果洛藏贡麻村党支部书记才让多杰说，今年牛羊多了。",
        [("才让多杰", "heads", "果洛藏贡麻村党支部")],
        [],
    ),
    # a two-character name before a verb LAC glued its last character to
    (
        "成都市武侯区教育局干部李云飞挂任昭觉县副县长。",
        [("李云飞", "worksFor", "武侯区教育局")],
        [("李云", "worksFor", "武侯区教育局")],
    ),
    # farms and forest farms are bodies, 场长 heads them, 林场 alone is the one named before
    (
        "大兴安岭松岭区壮志林场位于山区。林场场长刘海峰介绍，林场有职工200人。",
        [("刘海峰", "heads", "松岭区壮志林场")],
        [],
    ),
    (
        "黑河市五大连池市红光农场场长李志刚和副场长赵丽参加会议。",
        [("李志刚", "heads", "五大连池市红光农场"), ("赵丽", "worksFor", "五大连池市红光农场")],
        [("赵丽", "heads", "五大连池市红光农场")],
    ),
    # a qualifier between the unit's 选派的 and the post of the person it sent
    (
        "浦东新区人民医院选派的援疆医生陈晓燕常驻托万克村卫生室。",
        [("陈晓燕", "worksFor", "浦东新区人民医院")],
        [],
    ),
    ("自治区商务厅派驻的第二任第一书记韦志强说，今年要修路。", [("韦志强", "worksFor", "自治区商务厅")], []),
    # a member post after a section of the body; the section's own head is not the body's
    (
        "萧山区第一人民医院儿科医生徐丽娜到凉山州金阳县人民医院挂职。",
        [("徐丽娜", "worksFor", "萧山区第一人民医院")],
        [],
    ),
    ("定西市人民医院骨科主任王强说，义诊很受欢迎。", [], [("王强", "heads", "定西市人民医院")]),
    # 机关, the unit's own offices, between the unit and a member post
    (
        "山西省水利厅机关干部郭明驻村两年。",
        [("郭明", "worksFor", "山西省水利厅")],
        [("郭明", "heads", "山西省水利厅")],
    ),
    # a unit's own party committee after the unit's post: the unit's
    (
        "庆阳市人民医院院长、党委副书记赵刚说。",
        [("赵刚", "heads", "庆阳市人民医院"), ("赵刚", "worksFor", "庆阳市人民医院党委")],
        [("赵刚", "heads", "庆阳市人民医院党委")],
    ),
    # two characters and 说 after a post: not three characters ending in 说, and not the two either, which
    # are as often an adverb (书记常常说, 主任连连说)
    (
        "乌审旗图克镇乌兰什巴台嘎查党支部书记、嘎查达巴图说。",
        [],
        [("巴图说", "heads", "乌兰什巴台嘎查党支部")],
    ),
    ("马营村党支部书记常常说，要把产业做起来。", [], [("常常", "heads", "马营村党支部")]),
    ("马营村村委会主任连连说：好。", [], [("连连", "heads", "马营村村委会")]),
    # an assistant of a unit's principal and a unit's technical staff are its members
    ("兰州银行总经理助理张平说。", [("张平", "worksFor", "兰州银行")], [("张平", "heads", "兰州银行")]),
    ("陇西县农业农村局高级农艺师刘丽说。", [("刘丽", "worksFor", "陇西县农业农村局")], []),
    # the short names of people's organisations (妇联, 残联) are bodies
    ("陈静目前担任县妇联主席。", [("陈静", "heads", "县妇联")], []),
    ("定西市残联副理事长王华说。", [("王华", "worksFor", "定西市残联")], [("王华", "heads", "定西市残联")]),
    # 执行董事 heads a company without a board; 董事 is a member of the board
    (
        "中国石油长庆油田公司党委书记、执行董事张立军说，要做好帮扶。",
        [("张立军", "heads", "中国石油长庆油田公司"), ("张立军", "heads", "中国石油长庆油田公司党委")],
        [],
    ),
    ("甘肃电投集团董事王强说。", [("王强", "worksFor", "甘肃电投集团")], [("王强", "heads", "甘肃电投集团")]),
    # 高级 grades a professional: a bank's 高级经理 leads nothing
    (
        "中国银行甘肃省分行高级经理周文驻马营村。",
        [("周文", "worksFor", "中国银行甘肃省分行")],
        [("周文", "heads", "中国银行甘肃省分行")],
    ),
    # two rank words before a post
    ("驻柳树村第一书记、市中级人民法院四级高级法官杨帆作交流发言。", [("杨帆", "servesIn", "柳树村")], []),
    # 村委会 far from the village's name, in an article about one village
    (
        "通渭县李家店乡马营村紧挨着公路，全村有四百户人家。今年村里新建了两座冷库，还成立了合作社，种植的马铃薯已经卖到了省外，村民的腰包鼓了起来，一年下来每户多收入六千元。"
        "村委会主任王建国说，明年还要扩大规模。",
        [("王建国", "heads", "马营村村委会")],
        [],
    ),
    # a name LAC read as a verb between a post and 说
    ("石桥村党支部书记、村委会主任包金山说，路修好了。", [("包金山", "heads", "石桥村党支部")], []),
    ("村委会主任高兴地说，路修好了。", [], [("高兴地", "heads", "村委会")]),
    # a kind word before a member post of the unit refers back to the unit named before
    (
        "中国移动海东分公司与马营村结对。分公司客户经理祁明被确定为联络员。",
        [("祁明", "worksFor", "中国移动海东分公司")],
        [],
    ),
    (
        "自治区政协办公厅定点帮扶三个村。办公厅二级调研员黄志强驻加尤镇陇槐村。",
        [("黄志强", "worksFor", "自治区政协办公厅")],
        [("黄志强", "heads", "自治区政协办公厅")],
    ),
    (
        "马营村成立了花椒专业合作社。合作社理事长王小红说，今年收入好。",
        [("王小红", "heads", "花椒专业合作社")],
        [],
    ),
    # the persons a unit lists after counting the cadres it sent are its own, whatever branch they are in
    (
        "中国建设银行甘肃省分行选派3名干部到3个村任第一书记：建行定西分行客户经理王小东驻马营村，"
        "省分行干事刘晓雨驻石桥村，陇南分行科员陈明驻柳树村。",
        [
            ("王小东", "worksFor", "中国建设银行甘肃省分行"),
            ("刘晓雨", "worksFor", "中国建设银行甘肃省分行"),
            ("陈明", "worksFor", "中国建设银行甘肃省分行"),
        ],
        [],
    ),
    ("县水务局选派2名优秀干部驻村：李强到马营村，赵敏到石桥村。", [("赵敏", "worksFor", "县水务局")], []),
    ("县水务局选派2名干部驻村。村民说：王大海是好人。", [], [("王大海", "worksFor", "县水务局")]),
    # 中院, the short form of an intermediate court, after the city named before
    (
        "遵义市中级人民法院派驻石桥村工作队。驻石桥村第一书记、市中院三级法官张伟作交流发言。",
        [("张伟", "worksFor", "遵义市中院"), ("张伟", "servesIn", "石桥村")],
        [("张伟", "heads", "遵义市中院")],
    ),
    # a county named without its ending before its committee's post
    (
        "云南农业大学党委书记杨振华、澜沧县委书记李卫东出席签约仪式。",
        [("李卫东", "heads", "澜沧县委"), ("杨振华", "heads", "云南农业大学党委")],
        [],
    ),
    ("定西市委书记张华说。", [("张华", "heads", "定西市委")], []),
    # 分别由 pairs the persons before it with the units after it, in order; and those persons are not
    # the people of the unit whose team they join
    (
        "通渭县成立工作队。队员王明、李华和赵强分别由通渭县水务局、定西市林业局和陇西县交通局选派。",
        [
            ("王明", "worksFor", "通渭县水务局"),
            ("李华", "worksFor", "定西市林业局"),
            ("赵强", "worksFor", "陇西县交通局"),
        ],
        [("王明", "worksFor", "定西市林业局"), ("赵强", "worksFor", "通渭县水务局")],
    ),
    (
        "现任省税务局驻塘石村工作队队长刘建平说。队员曾晓军、黄丽分别由赣州市税务局和兴国县税务局选派。",
        [("曾晓军", "worksFor", "赣州市税务局"), ("黄丽", "worksFor", "兴国县税务局")],
        [("曾晓军", "worksFor", "省税务局"), ("黄丽", "worksFor", "赣州市税务局")],
    ),
    # a college named after its university: its staff work for the university, which helps through them
    (
        "刘敏是西南大学园艺园林学院的副教授，2022年被选派到石桥村任第一书记。",
        [("刘敏", "worksFor", "西南大学园艺园林学院"), ("刘敏", "worksFor", "西南大学")],
        [],
    ),
    (
        # a college named in full and said to help helps itself, as a named institute does
        "华中农业大学植物科学技术学院与马营村结对帮扶。",
        [("华中农业大学植物科学技术学院", "assists", "马营村")],
        [("华中农业大学", "assists", "马营村")],
    ),
    # a cooperative's leader's post standing alone after 兼任: the cooperative named last
    (
        "村里成立了花椒专业合作社，由马营村党支部书记王建华兼任理事长。",
        [("王建华", "heads", "花椒专业合作社"), ("王建华", "heads", "马营村党支部")],
        [],
    ),
    # a unit's 机关党委 after the unit's post
    (
        "定西市水务局局长、机关党委书记王海涛说。",
        [("王海涛", "heads", "定西市水务局"), ("王海涛", "heads", "定西市水务局机关党委")],
        [],
    ),
    (
        "兰州市财政局副局长、机关党支部书记刘洋到社区报到。",
        [("刘洋", "worksFor", "兰州市财政局"), ("刘洋", "heads", "兰州市财政局机关党支部")],
        [("刘洋", "heads", "兰州市财政局")],
    ),
    # a dotted name whose first part LAC read as a name of its own (努尔 / 麦麦提·阿不都 / 拉)
    (
        "托万克村村委会主任努尔麦麦提·阿不都拉作为村民代表讲话。",
        [("努尔麦麦提·阿不都拉", "heads", "托万克村村委会")],
        [("努尔", "heads", "托万克村村委会")],
    ),
    # two Tibetan elements and an adverb LAC glued to them (次仁多吉正和…); an Amdo element (桑杰)
    (
        "村党支部书记、香达村合作社理事长次仁多吉正和牧民一起剪羊毛。",
        [("次仁多吉", "heads", "香达村合作社")],
        [("次仁多吉正", "heads", "香达村合作社")],
    ),
    ("工作队队长桑杰才让是青海省林业和草原局的干部。", [("桑杰才让", "worksFor", "青海省林业和草原局")], []),
    # a member said to be of another unit than the team's sender, with an adverb before the copula
    (
        "湖北省审计厅驻红安县高桥镇柳林村工作队进村三年。另一名队员周敏则是红安县人民医院的主治医师。",
        [
            ("周敏", "worksFor", "红安县人民医院"),
            ("周敏", "servesIn", "柳林村"),
            ("周敏", "worksFor", "湖北省审计厅驻红安县高桥镇柳林村工作队"),
        ],
        [("周敏", "worksFor", "湖北省审计厅")],
    ),
    # a team-mate of a member named before
    (
        "湖北省审计厅驻红安县高桥镇柳林村工作队队长刘斌说。同队的吴芳来自红安县农业农村局。",
        [("吴芳", "servesIn", "柳林村"), ("吴芳", "worksFor", "红安县农业农村局")],
        [("吴芳", "worksFor", "湖北省审计厅")],
    ),
    # a list of first secretaries: the unit in parentheses, the village after a comma
    (
        "名单如下：孙涛（会宁县水务局），驻丁家沟镇韩岔村；何静（会宁县人民医院），驻丁家沟镇杨集村。",
        [
            ("孙涛", "servesIn", "韩岔村"),
            ("会宁县水务局", "assists", "韩岔村"),
            ("何静", "servesIn", "杨集村"),
            ("会宁县人民医院", "assists", "杨集村"),
        ],
        [("会宁县水务局", "assists", "杨集村")],
    ),
    # appointed as (任命P为), and a post held by a person named after 由 (队长由P担任)
    (
        "经研究，任命唐德明为高桥镇柳林村党支部书记，任命夏莉为高桥镇柳林村党支部副书记。",
        [("唐德明", "heads", "柳林村党支部"), ("夏莉", "worksFor", "柳林村党支部")],
        [("夏莉", "heads", "柳林村党支部")],
    ),
    # a record of a notice: name, sex, birth, unit and post, the village the person is sent to
    (
        "1. 马强，男，1985年3月生，临夏州财政局科员，拟派驻枹罕镇石头洼村任第一书记；",
        [
            ("马强", "worksFor", "临夏州财政局"),
            ("马强", "servesIn", "石头洼村"),
            ("临夏州财政局", "assists", "石头洼村"),
        ],
        [],
    ),
    # 她 after a sending verb, sent to two villages; 他 after a person named earlier in the sentence
    (
        "马丽是银行员工。中国建设银行临夏分行选派她到枹罕镇石头洼村、王坪村担任金融助理。",
        [
            ("马丽", "servesIn", "石头洼村"),
            ("马丽", "servesIn", "王坪村"),
            ("中国建设银行临夏分行", "assists", "王坪村"),
        ],
        [],
    ),
    (
        "王刚说起往事。李强是县水务局干部，2019年，他曾在枹罕镇石头洼村驻村两年。",
        [("李强", "servesIn", "石头洼村")],
        [("王刚", "servesIn", "石头洼村")],
    ),
    # 我院 in a unit's own news: the unit of that kind the text names
    (
        "兰州市第一人民医院对口帮扶东乡县。我院选派医师马涛担任龙泉镇拱北湾村驻村第一书记。",
        [("马涛", "worksFor", "兰州市第一人民医院"), ("兰州市第一人民医院", "assists", "拱北湾村")],
        [],
    ),
    # a name LAC read into the title before it, then an adverb; a leader taking a member along
    (
        "临夏州财政局驻石头洼村工作队队长、第一书记马文涛正带着队员韩梅走访。",
        [("马文涛", "heads", "临夏州财政局驻石头洼村工作队"), ("韩梅", "servesIn", "石头洼村")],
        [],
    ),
    # adverbs before the copula of a helped-place noun
    ("石头洼村同时也是临夏州财政局的挂包村。", [("临夏州财政局", "assists", "石头洼村")], []),
    # members of a work team the text does not name serve in the article's village
    (
        "石头洼村在山里。老马和工作队员韩梅、杨帆挨家挨户走访。",
        [("韩梅", "servesIn", "石头洼村"), ("杨帆", "servesIn", "石头洼村")],
        [],
    ),
    # bodies listed between a copula and an assist cue help the village each
    (
        "石头洼村是县法院、县人民检察院、县司法局共同挂点帮扶的村。",
        [("县法院", "assists", "石头洼村"), ("县司法局", "assists", "石头洼村")],
        [],
    ),
    # units named after a team, between 由 and 组成, help where it serves
    (
        "临夏州驻枹罕镇帮镇扶村工作队进驻枹罕镇。工作队由临夏州财政局牵头，兰州大学、甘肃银行临夏分行共同派员组成。",
        [("临夏州财政局", "assists", "枹罕镇"), ("兰州大学", "assists", "枹罕镇")],
        [],
    ),
    # an adverb and a join LAC read as one word (正和) before a village body named by level
    (
        "石头洼村迎来日出。第一书记马强，正和村党支部书记韩明一起登记。",
        [("韩明", "heads", "石头洼村党支部")],
        [],
    ),
    # a list of villages, each with its sending unit in parentheses and its people after a post and a colon
    (
        "一、枹罕镇石头洼村（派出单位：临夏州财政局）\n第一书记：马强（临夏州财政局预算科科长）\n",
        [
            ("临夏州财政局", "assists", "石头洼村"),
            ("马强", "servesIn", "石头洼村"),
            ("马强", "worksFor", "临夏州财政局"),
        ],
        [("马强", "heads", "临夏州财政局")],
    ),
    # a gacha's name LAC read as a name and its unit word as a verb (巴彦花/nz 嘎查/v)
    ("甘旗卡派出所与巴彦花嘎查结对共建。", [("甘旗卡派出所", "assists", "巴彦花嘎查")], []),
    # two Tibetan name elements LAC tore apart (才/d 让/v 东知/ORG)
    ("驻村干部：才让东知（县卫生健康局干部）", [("才让东知", "worksFor", "县卫生健康局")], []),
    # the unit a first secretary goes back to after the posting; a department's common short form
    ("原队长王刚期满后回到县审计局机关工作。", [("王刚", "worksFor", "县审计局")], []),
    ("第一书记李强返回原单位县林业和草原局。", [("李强", "worksFor", "县林业和草原局")], []),
    # villages counted under their town and named after 其中, helped by a body after 由
    (
        "枹罕镇下辖9个行政村，其中石头洼村和王坪村由临夏州财政局结对帮扶。",
        [
            ("石头洼村", "locatedIn", "枹罕镇"),
            ("王坪村", "locatedIn", "枹罕镇"),
            ("临夏州财政局", "assists", "石头洼村"),
            ("临夏州财政局", "assists", "王坪村"),
        ],
        [],
    ),
    # a village in the same town as the one named before
    ("枹罕镇石头洼村选出了新班子。同镇的王坪村也完成了换届。", [("王坪村", "locatedIn", "枹罕镇")], []),
    # two bodies named by the level of their place, joined by 和
    (
        "石头洼村由县财政局和县医院共同帮扶。",
        [("县财政局", "assists", "石头洼村"), ("县医院", "assists", "石头洼村")],
        [],
    ),
    # records of a list of awards: name, sending unit and village set apart by dashes
    (
        "马强——临夏州财政局——枹罕镇石头洼村\n韩梅（女）——甘肃银行临夏分行（金融专员）——枹罕镇王坪村",
        [
            ("马强", "worksFor", "临夏州财政局"),
            ("马强", "servesIn", "石头洼村"),
            ("临夏州财政局", "assists", "石头洼村"),
            ("韩梅", "servesIn", "王坪村"),
            ("甘肃银行临夏分行", "assists", "王坪村"),
        ],
        [("临夏州财政局", "assists", "王坪村")],
    ),
    # a long name LAC read as two names in a row (孟和 / 巴特尔)
    (
        "通辽市农牧业科学研究院选派科技特派员孟和巴特尔驻乌力吉图嘎查。",
        [("孟和巴特尔", "servesIn", "乌力吉图嘎查")],
        [],
    ),
    # the person sent, after the own unit and post that stand between the verb and the name
    (
        "县公安局选派城关派出所副所长马强到石头洼村担任驻村第一书记。",
        [("马强", "worksFor", "县公安局"), ("县公安局", "assists", "石头洼村")],
        [],
    ),
    # a person and the verb of a post, and no village made of them (吕志高/PER 任/v 村/n)
    ("公司派驻石头洼村的干部马强任村党支部第一书记。", [("马强", "servesIn", "石头洼村")], []),
    # a section's post in a list of posts, after the village post
    (
        "兰州大学在石头洼村。学校驻石头洼村第一书记、科研处副处长马强介绍。",
        [("马强", "servesIn", "石头洼村"), ("马强", "worksFor", "兰州大学")],
        [],
    ),
    # villages named after 辖; a service team named after its village; 任 before a team post
    (
        "枹罕镇辖石头洼村、王坪村等9个行政村。",
        [("石头洼村", "locatedIn", "枹罕镇")],
        [("辖石头洼村", "locatedIn", "枹罕镇")],
    ),
    (
        "三家单位组成市派石头洼村乡村振兴服务队。市商务局干部马强任队长兼第一书记。",
        [("马强", "heads", "石头洼村乡村振兴服务队"), ("马强", "servesIn", "石头洼村")],
        [],
    ),
    # a body and the place it is stationed in, read by LAC as one organisation
    (
        "科左中旗舍伯吐镇。旗农牧局驻胡日哈嘎查工作队队长马强说。",
        [("科尔沁左翼中旗农牧局", "assists", "胡日哈嘎查"), ("马强", "servesIn", "胡日哈嘎查")],
        [],
    ),
    # stays in each village of a list, and a clause without a subject about the sentence's person; a
    # stay in the past says nothing of who helps that village
    (
        "马强此前先后在枹罕镇石头洼村、折桥镇王坪村驻村。",
        [("马强", "servesIn", "石头洼村"), ("马强", "servesIn", "王坪村")],
        [],
    ),
    (
        "马强说起往事。他由临夏州财政局选派，此前曾在枹罕镇石头洼村驻村三年。",
        [("马强", "servesIn", "石头洼村"), ("马强", "worksFor", "临夏州财政局")],
        [("临夏州财政局", "assists", "石头洼村")],
    ),
    # members named each with a unit and a post, then a member's post after a verb
    (
        "三家单位组成市派石头洼村乡村振兴服务队。市税务局干部马强、甘肃银行临夏分行客户经理韩梅担任队员。",
        [("马强", "servesIn", "石头洼村"), ("韩梅", "servesIn", "石头洼村")],
        [],
    ),
    # a body's section before the post of a person the kind word refers to
    (
        "国网临夏供电公司定点帮扶石头洼村。现任第一书记、公司营销部副主任马强汇报了工作。",
        [("马强", "worksFor", "国网临夏供电公司")],
        [],
    ),
    # a team named after a unit by its kind word, after a verb; a bare 工作队 later in the same sentence
    (
        "甘肃省水利厅定点帮扶石头洼村。厅长王军听取厅驻石头洼村工作队队长马强的汇报，看望了工作队队员韩梅。",
        [
            ("马强", "heads", "甘肃省水利厅驻石头洼村工作队"),
            ("韩梅", "servesIn", "石头洼村"),
            ("韩梅", "worksFor", "甘肃省水利厅"),
        ],
        [],
    ),
    # a section of a body before a post: the person works for the body, also the section's head
    (
        "第一书记：马强（临夏州水务局规划计划科科长）。临夏州人民医院骨科医生韩梅说。",
        [("马强", "worksFor", "临夏州水务局"), ("韩梅", "worksFor", "临夏州人民医院")],
        [("马强", "heads", "临夏州水务局")],
    ),
    # level words that open other names are no level words there: 地震局 stays itself, and 州 names only
    # an autonomous prefecture's bodies; 同 inside a place's name (会同县) is no 同镇
    ("定西市召开会议。地震局局长王刚说。", [("王刚", "heads", "地震局")], [("王刚", "heads", "定西市震局")]),
    ("定西市通渭县。州林草局干部李强说。", [], [("李强", "worksFor", "定西市林草局")]),
    (
        "通渭县若水镇。湖南省会同县若水镇石门村。",
        [("石门村", "locatedIn", "若水镇")],
        [("石门村", "locatedIn", "通渭县")],
    ),
    # a lead word and a village's unit word make a village's name (联合村), and 曾 in a place's name
    # puts nothing in the past
    ("王刚驻联合村。", [("王刚", "servesIn", "联合村")], []),
    ("驻村工作队由县财政局派出，进驻曾家镇石门村。", [("县财政局", "assists", "石门村")], []),
    # the units in parentheses after a village end at the parenthesis, of either width
    (
        "石门村(派出单位：县财政局)，县医院也派人参加。",
        [("县财政局", "assists", "石门村")],
        [("县医院", "assists", "石门村")],
    ),
    # a village after the unit the person comes from
    ("队员马强来自临夏州财政局，常驻石头洼村。", [("马强", "servesIn", "石头洼村")], []),
    # a post or an occupation word between the sending verb and the person
    (
        "中国建设银行临夏分行选派客户经理马丽到枹罕镇石头洼村挂任第一书记。",
        [("马丽", "worksFor", "中国建设银行临夏分行"), ("中国建设银行临夏分行", "assists", "石头洼村")],
        [],
    ),
    # a unit's people named by their occupation after 的
    (
        "队员中有兰州大学的博士郑晨，也有甘肃银行的信贷员马强。",
        [("郑晨", "worksFor", "兰州大学"), ("马强", "worksFor", "甘肃银行")],
        [],
    ),
    # a helped-place noun right after the unit, without 的; a prefecture's committee named by 地委
    ("石头洼村是县交通运输局定点帮扶村。", [("县交通运输局", "assists", "石头洼村")], []),
    ("和田地区墨玉县召开大会。地委副书记王军出席。", [("王军", "worksFor", "和田地委")], []),
    # a sending verb LAC read into one organisation with the sender and the body sent from
    (
        "会宁县选派县农业农村局副局长高峰到郭城驿镇挂职。",
        [("高峰", "worksFor", "会宁县农业农村局")],
        [("高峰", "worksFor", "选派县农业农村局")],
    ),
    (
        "杨集村第一书记则由会宁县水务局干部孙涛担任。",
        [("孙涛", "servesIn", "杨集村"), ("孙涛", "worksFor", "会宁县水务局")],
        [],
    ),
]


@pytest.mark.parametrize("text,present,absent", NAMES_AND_POSTS)
def test_names_and_posts(nlp, text, present, absent):
    facts = facts_of(nlp, text)
    assert [f for f in present if f not in facts] == []
    assert [f for f in absent if f in facts] == []


def test_a_team_members_own_sender_pattern_fails_fast_on_clauses_rich_in_joins():
    """和 and 与 both join names and belong to them: a pattern reading either way backtracked for minutes."""
    from kg.extract.posts import _OWN_SENDER

    assert _OWN_SENDER.match("与农户和企业及合作社" * 30) is None
    assert _OWN_SENDER.match("和" * 200) is None
    assert _OWN_SENDER.match("、王刚和李明分别由县财政局和县农业农村局选派") is not None
