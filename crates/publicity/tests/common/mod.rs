//! A deterministic public list of any length, for tests, the bench and the sample renders.
#![allow(dead_code)] // each test binary uses a different part of it

use lianzhang_publicity::{PublicLine, PublicList};

const PLACES: [&str; 12] =
    ["鑫磊", "晋泽", "丹河", "巴公", "金村", "高都", "南村", "北义城", "大东沟", "犁川", "周村", "李寨"];
const TRADES: [&str; 10] =
    ["铸造", "新材料", "机械制造", "煤机装备", "光电科技", "化工", "食品", "纺织", "建材", "电子"];
const CHAINS: [&str; 5] = ["光机电", "新材料", "装备制造", "煤化工", "绿色食品"];

/// One award kind: clause, rule title, and how its reason reads.
const RULES: [(&str, &str); 5] = [
    ("第三条第（一）项", "首次升规入统奖励"),
    ("第三条第（二）项", "营业收入首次突破奖励"),
    ("第四条第（一）项", "本地配套采购奖励"),
    ("第五条", "首次认定专精特新奖励"),
    ("第六条第（三）项", "技术改造项目补助"),
];

/// The `i`-th enterprise name: short (at most 13 characters) so it prints on one line.
pub fn enterprise(i: usize) -> String {
    format!("{}{}{}有限公司", PLACES[i % PLACES.len()], TRADES[(i / PLACES.len()) % TRADES.len()], i)
}

fn uscc(i: usize) -> String {
    format!("91140525MA{:07}{}", i, i % 10)
}

/// The amount of the `i`-th line in fen, as its reason says: whole 万元, and for the project
/// subsidy an amount with fen.
pub fn amount_fen(i: usize) -> i64 {
    match i % 5 {
        0 => 50_000_000,                          // 50万元
        1 => 1_000_000 * (i as i64 % 90 + 10),    // 10–99万元
        2 => 34_567_800,                          // 345,678.00元
        3 => 30_000_000,                          // 30万元
        _ => 200_000_000 + i as i64 * 1_234 + 56, // about 200万元, with fen
    }
}

fn reason(i: usize) -> String {
    let revenue = 2_000_000_000_i64 + i as i64 * 1_234_567;
    match i % 5 {
        0 => format!(
            "{}年首次纳入规模以上工业企业统计（入统日期2024年3月{}日），此前年度均未入统；\
             按第三条第（一）项，首次升规入统一次性奖励50万元。",
            2024,
            i % 28 + 1
        ),
        1 => format!(
            "2024年营业收入{}元，首次突破2亿元（2023年为1.86亿元，此前最高1.92亿元）；\
             奖励标准：首次突破2亿元奖励{}万元，已兑现的较低档次奖励不再扣减。",
            lianzhang_publicity::fen_to_yuan(revenue * 100),
            i % 90 + 10
        ),
        2 => "本地配套采购额3,456.78万元，占采购总额的35.42%（＞30%）；\
              奖励金额 = 本地配套采购额 × 1% = 345,678.00元，未超过单户上限300万元。"
            .to_string(),
        3 => "2024年首次被认定为省级专精特新中小企业（认定文件晋工信发〔2024〕55号），\
              此前未获国家级或省级认定；按第五条一次性奖励。"
            .to_string(),
        _ => "技术改造项目“年产5万吨高性能铸件智能化改造”于2024年10月竣工验收，\
              设备投资5,432.10万元，按设备投资额的5%核定补助上限271.605万元，\
              经评审确定补助金额，单个项目最高不超过300万元；项目编号JG-2024-017，\
              资金拨付以审计报告为准，分期拨付时首期不低于核定金额的60%。"
            .to_string(),
    }
}

/// A list of `n` lines for 2024, published 2024年9月27日 over the National Day holiday.
pub fn list(n: usize) -> PublicList {
    PublicList {
        title: "泽州县2024年度制造业产业链政策奖励资金兑现名单（公示）".into(),
        issuer: "泽州县工业和信息化局".into(),
        document_no: "泽工信发〔2025〕12号".into(),
        year: 2024,
        published: jiff::civil::date(2024, 9, 27),
        last_day: jiff::civil::date(2024, 10, 10),
        working_days: 5,
        objection_to: "泽州县工业和信息化局产业链办公室（泽州县丹河东路88号政务中心三楼312室），\
                       电话0356-2021234，电子邮箱zzgxj@example.cn"
            .into(),
        policy: "《泽州县支持制造业产业链高质量发展的若干政策》（泽工信字〔2022〕84号）".into(),
        lines: (0..n)
            .map(|i| {
                let (clause, title) = RULES[i % RULES.len()];
                PublicLine {
                    enterprise: enterprise(i),
                    uscc: uscc(i),
                    chain: (i % 7 != 3).then(|| format!("{}产业链", CHAINS[i % CHAINS.len()])),
                    clause: clause.into(),
                    rule_title: title.into(),
                    amount_fen: amount_fen(i),
                    reason: reason(i),
                }
            })
            .collect(),
    }
}
