//! Chinese names, towns and industry codes of a plausible 泽州县 (and of another county, named by
//! its policy).

const TOWNS: &[&str] = &[
    "南村镇",
    "下村镇",
    "大东沟镇",
    "周村镇",
    "犁川镇",
    "晋庙铺镇",
    "金村镇",
    "高都镇",
    "巴公镇",
    "大阳镇",
    "山河镇",
    "李寨乡",
    "南岭乡",
    "柳树口镇",
    "北义城镇",
    "川底乡",
];

/// The towns of a county other than 泽州县 (fictional, as its policy is).
const OTHER_TOWNS: &[&str] = &[
    "城关镇",
    "东关镇",
    "西河镇",
    "南山乡",
    "北岭镇",
    "新庄镇",
    "石桥镇",
    "柳林乡",
    "河东镇",
    "杨家庄乡",
    "青石镇",
    "马坊镇",
];

/// The towns of `county`.
pub fn towns(county: &str) -> &'static [&'static str] {
    if county == "泽州县" { TOWNS } else { OTHER_TOWNS }
}

const BRANDS: &[&str] = &[
    "恒达", "鑫源", "丰谷", "兴晋", "华智", "泰和", "宏晟", "金石", "瑞丰", "通达", "永固", "晋鑫", "太行", "天泽",
    "凤城", "中元", "润泽", "博远", "长信", "聚能", "正阳", "安泰", "盛世", "万通", "鼎盛", "丹河", "珏山", "三晋",
    "嘉禾", "东方", "利民", "福源", "海川", "龙腾", "新合", "汇丰", "景泰", "乾元", "昌隆", "德胜",
];

/// (chain code, industry words, GB/T 4754-2017 codes).
pub const CHAIN_INDUSTRY: &[(&str, &[&str], &[&str])] = &[
    ("steel", &["钢铁", "特钢", "金属制品", "轧钢"], &["C3110", "C3120", "C3130", "C3140"]),
    ("chemical", &["化工", "煤化工", "新材料", "化肥"], &["C2614", "C2621", "C2651"]),
    ("building_materials", &["建材", "水泥", "混凝土", "砂石"], &["C3011", "C3021", "C3099"]),
    ("equipment", &["机械", "煤机装备", "装备制造", "智能装备"], &["C3511", "C3512"]),
    ("casting", &["铸造", "精密铸件", "铸业", "模具"], &["C3391"]),
    ("food", &["食品", "农牧", "饮品", "粮油"], &["C1351", "C1391", "C1431"]),
    ("recycling", &["再生资源", "环保科技", "资源利用"], &["C4210", "C4220"]),
];

const OTHER_INDUSTRY: (&[&str], &[&str]) =
    (&["科技", "电子", "纺织", "包装", "印刷"], &["C3989", "C1711", "C2231", "C2319"]);

/// A company name (in `county`, of `chain`), its industry code. A chain Zezhou does not have is
/// named by its Chinese name (`新材料`).
pub fn company(
    rng: &mut crate::rng::Rng,
    chain: Option<&lianzhang_facts::ChainVocab>,
    county: &str,
    town: &str,
) -> (String, String) {
    let own = [chain.map_or("", |c| c.name.as_str())];
    let (words, codes): (&[&str], &[&str]) = match chain {
        None => OTHER_INDUSTRY,
        Some(c) => match CHAIN_INDUSTRY.iter().find(|(code, _, _)| *code == c.code) {
            Some((_, w, codes)) => (w, codes),
            None => (&own, OTHER_INDUSTRY.1),
        },
    };
    let prefix = if rng.chance(0.6) { county.to_string() } else { town.trim_end_matches(['镇', '乡']).to_string() };
    let suffix = if rng.chance(0.12) { "股份有限公司" } else { "有限公司" };
    let name = format!("{prefix}{}{}{suffix}", rng.pick(BRANDS), rng.pick(words));
    (name, rng.pick(codes).to_string())
}
