//! Chinese names, towns and industry codes of a plausible 泽州县.

pub const TOWNS: &[&str] = &[
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

/// A company name, its industry code.
pub fn company(rng: &mut crate::rng::Rng, chain_code: Option<&str>, town: &str) -> (String, String) {
    let (words, codes) = chain_code
        .and_then(|c| CHAIN_INDUSTRY.iter().find(|(code, _, _)| *code == c))
        .map(|(_, w, c)| (*w, *c))
        .unwrap_or(OTHER_INDUSTRY);
    let prefix =
        if rng.chance(0.6) { "泽州县".to_string() } else { town.trim_end_matches(['镇', '乡']).to_string() };
    let suffix = if rng.chance(0.12) { "股份有限公司" } else { "有限公司" };
    let name = format!("{prefix}{}{}{suffix}", rng.pick(BRANDS), rng.pick(words));
    (name, rng.pick(codes).to_string())
}
