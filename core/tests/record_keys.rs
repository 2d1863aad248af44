//! `r.keys()` lists the declared fields as ordinary Rhai strings, so a rule
//! can search it (`contains`, `in`) and print it. (It once held an opaque
//! identifier type: `r.keys().contains("x")` was false for every field.)

use chamdiem::{Pack, Period, RecordInput, Scorer};
use serde_json::{json, Value};

#[test]
fn record_keys_are_strings() {
    let pack = Pack::from_source(
        "t.rhai",
        r#"
pack(#{ id:"t.keys", title:"T", version:"0" });
field("id", #{type:"string"}); field("n", #{type:"int", required:false});
group("1", #{label:"G"});
criterion("1.1", #{ group:"1", points:10, label:"C", rule: |r| {
    let k = r.keys();
    if k.contains("n") && "id" in k && !k.contains("x") && type_of(k[0]) == "string" {
        pass(`${k}`)
    } else {
        fail(`${k}`)
    }
} });
band("a", #{label:"A", min:0});
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut scorer = Scorer::new(&pack, "2024".parse::<Period>().unwrap()).unwrap();
    let line = scorer
        .score_input(&RecordInput::Json(json!({"id": "a", "n": 1})))
        .to_json_line();
    let result: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(result["criteria"]["1.1"], json!(10), "{line}");
    assert_eq!(result["reasons"]["1.1"], json!(r#"["id", "n"]"#), "{line}");
}
