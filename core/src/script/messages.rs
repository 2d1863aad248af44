//! Rhai's own error messages in Vietnamese: a pack author (a provincial
//! officer editing weights in the page or a text editor) reads them next to
//! the line they point at. Each arm keeps what Rhai names (a variable, a
//! function and its argument types, a token); a message not translated here
//! stays in Rhai's English rather than being lost.

use rhai::{EvalAltResult, LexError, ParseErrorType};

/// A type as Rhai names it (`i64`, `&str | ImmutableString | String`, our
/// registered `Record`…), in words.
fn type_name(name: &str) -> &str {
    match name.trim() {
        "i64" | "i32" | "u64" | "int" | "INT" => "số nguyên",
        "f64" | "f32" | "float" | "FLOAT" => "số thực",
        "bool" => "đúng/sai",
        "()" => "rỗng ()",
        "char" => "ký tự",
        "string" | "&str" | "String" | "ImmutableString" | "&str | ImmutableString | String" => {
            "chuỗi"
        }
        "array" | "Array" | "Vec<Dynamic>" => "mảng",
        "map" | "Map" | "BTreeMap<SmartString, Dynamic>" => "bảng #{…}",
        "Fn" | "FnPtr" => "hàm",
        "range" | "Range<i64>" | "RangeInclusive<i64>" => "khoảng",
        "Record" => "bản ghi",
        "Scores" => "điểm số",
        "ScoreMap" => "bảng điểm",
        "Date" => "ngày",
        "DateList" => "danh sách ngày",
        "Period" => "kỳ đánh giá",
        "Award" => "kết quả tiêu chí (pass/fail/…)",
        // How the parser names what an expression can never be.
        "a boolean expression" => "một biểu thức đúng/sai",
        "an iterable value" => "một mảng, một khoảng (0..n) hoặc một chuỗi",
        "a boolean" => "một giá trị đúng/sai",
        "a number" => "một số nguyên",
        "a floating-point number" => "một số thực",
        "a character" => "một ký tự",
        "a string" => "một chuỗi",
        "an array" => "một mảng",
        "an object map" => "một bảng #{…}",
        other => other,
    }
}

/// "No function for `name (t1, t2)`", as Rhai writes a call it could not
/// match, with the argument types in words.
fn signature(text: &str) -> String {
    match text.rsplit_once(" (") {
        Some((name, types)) if types.ends_with(')') => {
            let types = &types[..types.len() - 1];
            let words: Vec<&str> = if types.is_empty() {
                Vec::new()
            } else {
                types.split(", ").map(type_name).collect()
            };
            if words.is_empty() {
                format!("không có hàm '{name}' gọi mà không có đối số")
            } else {
                format!(
                    "không có hàm hay phép tính '{name}' nhận ({})",
                    words.join(", ")
                )
            }
        }
        _ => format!("không có hàm '{text}'"),
    }
}

/// What a missing token was needed for, as Rhai's parser says it.
fn needed_for(what: &str) -> Option<String> {
    let quoted = |prefix: &str| {
        what.strip_prefix(prefix)
            .map(|rest| rest.trim_matches('\'').to_string())
    };
    let fixed = match what {
        "to terminate this statement" => "để kết thúc câu lệnh",
        "to terminate this block" => "để kết thúc khối lệnh",
        "to end this array literal" => "để đóng mảng",
        "to end this object map literal" => "để đóng bảng #{…}",
        "to end this switch block" => "để đóng khối switch",
        "after the type name for 'this'" => "sau tên kiểu của 'this'",
        "to start a statement block" => "để mở một khối lệnh",
        "to start a switch block" => "để mở khối switch",
        "to start arguments list of function call" => "để mở danh sách đối số của lời gọi hàm",
        "to separate the parameters of anonymous function" => "để ngăn các tham số của hàm vô danh",
        "to separate the items of this object map literal" => "để ngăn các mục của bảng #{…}",
        "to separate the items of this array literal" => "để ngăn các phần tử của mảng",
        "to separate the items in this switch block" => "để ngăn các nhánh của switch",
        "to close the parameters list of anonymous function or closure" => {
            "để đóng danh sách tham số của hàm vô danh"
        }
        "to close the iteration variable" => "để đóng biến lặp",
        "after the iteration variable" | "after the iteration variable name" => "sau biến lặp",
        "for a matching ( in this expression" => "để đóng dấu ( trong biểu thức này",
        "for a matching [ in this index expression" => "để đóng dấu [ của chỉ số",
        "in this switch case" => "trong nhánh switch này",
        "for the do statement" => "cho câu lệnh do",
        "for the 'try' statement" => "cho câu lệnh try",
        "to enclose the catch variable" => "quanh biến của catch",
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(fixed.to_string());
    }
    if let Some(f) = quoted("to close the arguments list of this function call ") {
        return Some(format!("để đóng danh sách đối số của lời gọi hàm '{f}'"));
    }
    if let Some(f) = quoted("to separate the arguments to function call ") {
        return Some(format!("để ngăn các đối số của lời gọi hàm '{f}'"));
    }
    if let Some(f) = quoted("to separate the parameters of function ") {
        return Some(format!("để ngăn các tham số của hàm '{f}'"));
    }
    if let Some(f) = quoted("to close the parameters list of function ") {
        return Some(format!("để đóng danh sách tham số của hàm '{f}'"));
    }
    if let Some(e) = what
        .strip_prefix("for '")
        .and_then(|w| w.strip_suffix("' expression"))
    {
        return Some(format!("cho biểu thức '{e}'"));
    }
    if let Some(f) = quoted("following ") {
        return Some(format!("sau '{f}'"));
    }
    if let Some(p) = quoted("to follow the property ") {
        let p = p
            .trim_end_matches(" in this object map literal")
            .trim_matches('\'');
        return Some(format!("sau khóa '{p}' trong bảng #{{…}}"));
    }
    None
}

fn lex_message(error: &LexError) -> String {
    match error {
        LexError::UnexpectedInput(s) => match s.as_str() {
            "“" | "”" | "‘" | "’" => {
                format!("ký tự không dùng được: '{s}' (ngoặc kép của Word; viết \" hoặc `)")
            }
            _ => format!("ký tự không dùng được ở đây: '{}'", s.escape_debug()),
        },
        LexError::UnterminatedString => "chuỗi chưa được đóng (thiếu dấu \" ở cuối)".into(),
        LexError::StringTooLong(max) => format!("chuỗi dài quá {max} ký tự"),
        LexError::MalformedEscapeSequence(s) => format!("ký tự thoát không hợp lệ: '{s}'"),
        LexError::MalformedNumber(s) => format!("số không hợp lệ: '{s}'"),
        LexError::MalformedChar(s) => format!("ký tự không hợp lệ: '{s}'"),
        LexError::MalformedIdentifier(s) => format!("tên không hợp lệ: '{s}'"),
        LexError::ImproperSymbol(s, d) if d.is_empty() => format!("ký hiệu không hợp lệ: '{s}'"),
        LexError::ImproperSymbol(s, _) if s == "=" => {
            "dùng '=' trong biểu thức: để so sánh, viết '=='".into()
        }
        LexError::ImproperSymbol(s, _) if s == "===" || s == "!==" => {
            format!("'{s}' không có trong Rhai: viết '{}'", &s[..2])
        }
        other => other.to_string(),
    }
}

/// A syntax error in Vietnamese.
pub(crate) fn parse_message(kind: &ParseErrorType) -> String {
    use ParseErrorType as P;
    match kind {
        P::UnexpectedEOF => "mã nguồn kết thúc giữa chừng (thiếu dấu đóng } ) ] ?)".into(),
        P::BadInput(error) => lex_message(error),
        P::UnknownOperator(s) => format!("không có phép toán '{s}'"),
        P::MissingToken(token, what) => match needed_for(what) {
            Some(why) => format!("thiếu '{token}' {why}"),
            None => format!("thiếu '{token}' ({what})"),
        },
        P::MissingSymbol(s) if s.is_empty() => "thiếu một ký hiệu".into(),
        P::DuplicatedProperty(s) => format!("khóa '{s}' xuất hiện hai lần trong bảng #{{…}}"),
        P::DuplicatedVariable(s) => format!("tên biến '{s}' trùng"),
        P::PropertyExpected => "cần tên một khóa (sau dấu chấm)".into(),
        P::VariableExpected => "cần tên một biến".into(),
        P::ForbiddenVariable(s) => format!("không được dùng '{s}' làm tên biến"),
        P::Reserved(s) => format!("'{s}' là từ khóa dành riêng, không dùng làm tên được"),
        P::MismatchedType(expected, got) => {
            format!("cần {}, không phải {}", type_name(expected), type_name(got))
        }
        P::ExprExpected(s) => format!("thiếu biểu thức {s}"),
        P::WrongDocComment => "chú thích /// phải đứng ngay trước một hàm fn".into(),
        P::WrongFnDefinition => {
            "hàm fn phải khai báo ở ngoài cùng, không nằm trong khối lệnh hay hàm khác".into()
        }
        P::FnDuplicatedDefinition(name, n) => {
            format!("hàm '{name}' với {n} tham số đã được khai báo")
        }
        P::FnMissingName => "thiếu tên hàm sau fn".into(),
        P::FnMissingParams(name) => format!("thiếu danh sách tham số của hàm '{name}'"),
        P::FnDuplicatedParam(name, param) => {
            format!("tham số '{param}' của hàm '{name}' bị lặp")
        }
        P::FnMissingBody(name) if name.is_empty() => "thiếu thân { … } của hàm vô danh".into(),
        P::FnMissingBody(name) => format!("thiếu thân {{ … }} của hàm '{name}'"),
        P::WrongExport => "export chỉ dùng được ở ngoài cùng".into(),
        P::AssignmentToConstant(s) if s.is_empty() => "không gán được cho một hằng".into(),
        P::AssignmentToConstant(s) => format!("không gán được cho hằng {s}"),
        P::AssignmentToInvalidLHS(s) if s.is_empty() => {
            "vế trái của phép gán không gán được".into()
        }
        P::VariableExists(s) => format!("biến đã được khai báo: {s}"),
        P::VariableUndefined(s) => {
            format!("biến chưa được khai báo: {s} (một hàm fn không thấy biến ở ngoài nó)")
        }
        P::ModuleUndefined(s) => format!("chưa import mô-đun '{s}'"),
        P::TooManyFunctions => "quá nhiều hàm".into(),
        P::LoopBreak => "break/continue chỉ dùng được trong vòng lặp".into(),
        P::WrongSwitchDefaultCase => "nhánh _ của switch phải đứng cuối".into(),
        other => other.to_string(),
    }
}

/// An arithmetic failure (`Division by zero: 5 / 0`) in Vietnamese, the
/// operation itself kept.
fn arithmetic(text: &str) -> String {
    const KNOWN: [(&str, &str); 8] = [
        ("Division by zero: ", "chia cho 0"),
        (
            "Modulo division by zero or overflow: ",
            "chia lấy dư cho 0 hoặc tràn số",
        ),
        ("Addition overflow: ", "tràn số nguyên khi cộng"),
        ("Subtraction overflow: ", "tràn số nguyên khi trừ"),
        ("Multiplication overflow: ", "tràn số nguyên khi nhân"),
        ("Division overflow: ", "tràn số nguyên khi chia"),
        ("Negation overflow: ", "tràn số nguyên khi đổi dấu"),
        ("Exponential overflow: ", "tràn số nguyên khi lũy thừa"),
    ];
    for (english, vietnamese) in KNOWN {
        if let Some(operation) = text.strip_prefix(english) {
            return format!("{vietnamese}: {operation}");
        }
    }
    text.to_string()
}

/// A run-time error of a script in Vietnamese (the innermost error: the
/// call chain and limits are handled by the caller).
pub(crate) fn eval_message(error: &EvalAltResult) -> String {
    use EvalAltResult as E;
    match error {
        E::ErrorParsing(kind, _) => parse_message(kind),
        E::ErrorVariableExists(s, _) => format!("biến đã được khai báo: {s}"),
        E::ErrorForbiddenVariable(s, _) => format!("không được dùng '{s}' làm tên biến"),
        E::ErrorVariableNotFound(s, _) => format!("không có biến {s}"),
        E::ErrorPropertyNotFound(s, _) => format!("không có khóa '{s}'"),
        E::ErrorIndexNotFound(s, _) => format!("không có chỉ số {s}"),
        E::ErrorFunctionNotFound(s, _) => signature(s),
        E::ErrorDotExpr(s, _) => match s
            .strip_prefix("Unknown property '")
            .and_then(|rest| rest.split_once("' - a getter is not registered for type '"))
        {
            Some((property, ty)) => format!(
                "không có thuộc tính '{property}' cho {}",
                type_name(ty.trim_end_matches('\''))
            ),
            None => error.to_string(),
        },
        E::ErrorIndexingType(s, _) => format!("không dùng được [ ] với {}", type_name(s)),
        E::ErrorFor(_) => "vòng for cần một mảng, một khoảng (0..n) hoặc một chuỗi".into(),
        E::ErrorAssignmentToConstant(s, _) => format!("không gán được cho hằng {s}"),
        E::ErrorMismatchDataType(expected, got, _) => match (got.as_str(), expected.as_str()) {
            ("", e) => format!("sai kiểu dữ liệu, cần {}", type_name(e)),
            (g, "") => format!("sai kiểu dữ liệu: {}", type_name(g)),
            (g, e) => format!(
                "sai kiểu dữ liệu: nhận {}, cần {}",
                type_name(g),
                type_name(e)
            ),
        },
        E::ErrorMismatchOutputType(expected, got, _) => format!(
            "kết quả sai kiểu: nhận {}, cần {}",
            type_name(got),
            type_name(expected)
        ),
        E::ErrorArithmetic(s, _) => arithmetic(s),
        E::ErrorArrayBounds(len, index, _) => {
            format!("chỉ số {index} nằm ngoài mảng (mảng có {len} phần tử)")
        }
        E::ErrorStringBounds(len, index, _) => {
            format!("chỉ số {index} nằm ngoài chuỗi (chuỗi có {len} ký tự)")
        }
        E::ErrorUnboundThis(_) => "không có 'this' ở đây".into(),
        E::ErrorDataRace(s, _) => format!("xung đột dữ liệu: {s}"),
        E::ErrorNonPureMethodCallOnConstant(s, _) => {
            format!("không sửa được một hằng (gọi '{s}')")
        }
        E::LoopBreak(..) => "break/continue chỉ dùng được trong vòng lặp".into(),
        other => {
            // Rhai's own message, without its trailing position.
            let text = other.to_string();
            match text.rfind(" (line ") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_name_the_argument_types_in_words() {
        assert_eq!(
            signature("foo (Record)"),
            "không có hàm hay phép tính 'foo' nhận (bản ghi)"
        );
        assert_eq!(
            signature("- (&str | ImmutableString | String, i64)"),
            "không có hàm hay phép tính '-' nhận (chuỗi, số nguyên)"
        );
        assert_eq!(
            signature("pass ()"),
            "không có hàm 'pass' gọi mà không có đối số"
        );
        assert_eq!(signature("odd"), "không có hàm 'odd'");
    }

    /// Rhai's real errors for common slips, as a pack author sees them.
    #[test]
    fn common_slips_read_in_vietnamese() {
        let engine = rhai::Engine::new();
        let parse = |source: &str| parse_message(engine.compile(source).unwrap_err().err_type());
        assert_eq!(
            parse("let a = 1 let b = 2;"),
            "thiếu ';' để kết thúc câu lệnh"
        );
        assert_eq!(
            parse("let a = (1;"),
            "thiếu ')' để đóng dấu ( trong biểu thức này"
        );
        assert_eq!(
            parse("let m = #{a: 1 b: 2};"),
            "thiếu ',' để ngăn các mục của bảng #{…}"
        );
        assert_eq!(
            parse("f(1, 2;"),
            "thiếu ',' để ngăn các đối số của lời gọi hàm 'f'"
        );
        assert_eq!(
            parse("let s = \"abc;"),
            "chuỗi chưa được đóng (thiếu dấu \" ở cuối)"
        );
        assert!(parse("let s = “x”;").contains("ngoặc kép của Word"));
        assert_eq!(
            parse("let a = 1; if a = 2 { }"),
            "dùng '=' trong biểu thức: để so sánh, viết '=='"
        );
        assert_eq!(
            parse("let a = 1 === 2;"),
            "'===' không có trong Rhai: viết '=='"
        );
        assert_eq!(
            parse("if 3 { }"),
            "cần một biểu thức đúng/sai, không phải một số nguyên"
        );
        assert_eq!(parse("fn f(a, a) { }"), "tham số 'a' của hàm 'f' bị lặp");
        assert_eq!(
            parse("let a = [1, 2;"),
            "thiếu ',' để ngăn các phần tử của mảng"
        );
        assert_eq!(parse("let m = #{ a: 1 "), "thiếu '}' để đóng bảng #{…}");
        let mut strict = rhai::Engine::new();
        strict.set_strict_variables(true);
        assert!(
            strict.compile("fn g() { zz }").is_err_and(
                |e| parse_message(e.err_type()).starts_with("biến chưa được khai báo: zz")
            )
        );

        let run = |source: &str| eval_message(&engine.eval::<rhai::Dynamic>(source).unwrap_err());
        assert_eq!(run("5 / 0"), "chia cho 0: 5 / 0");
        assert_eq!(
            run("9223372036854775807 * 2"),
            "tràn số nguyên khi nhân: 9223372036854775807 * 2"
        );
        assert_eq!(
            run("\"a\" - 1"),
            "không có hàm hay phép tính '-' nhận (chuỗi, số nguyên)"
        );
        assert_eq!(
            run("let a = (); a + 1"),
            "không có hàm hay phép tính '+' nhận (rỗng (), số nguyên)"
        );
        assert_eq!(run("[1][5]"), "chỉ số 5 nằm ngoài mảng (mảng có 1 phần tử)");
        assert_eq!(
            run("let x = 5; x.bar"),
            "không có thuộc tính 'bar' cho số nguyên"
        );
        assert_eq!(run("nothing_here"), "không có biến nothing_here");
    }

    /// Broken snippets of every kind a pack author writes by mistake: none
    /// of their messages falls back to Rhai's English.
    #[test]
    fn no_common_slip_is_left_in_english() {
        let snippets = [
            "let a = 1 let b = 2;",
            "let a = (1;",
            "let a = [1, 2",
            "let m = #{ a: 1",
            "let m = #{ a 1 };",
            "f(1, 2",
            "f(1 2)",
            "fn f( { }",
            "fn f(a b) { }",
            "fn (a) { }",
            "fn f(a)",
            "if true { 1 } else",
            "if true 1",
            "while true",
            "for x 1..2 { }",
            "for (x in 1..2 { }",
            "switch 1 { 1 => 2 3 => 4 }",
            "switch 1 { 1 => 2,",
            "let = 5;",
            "let 1x = 2;",
            "a.;",
            "x[1",
            "let s = \"abc;",
            "let s = '';",
            "let a = 1 === 2;",
            "let a = 1 !== 2;",
            "let a = 1; if a = 2 { }",
            "let x = #{a: 1, a: 2};",
            "break;",
            "fn f() { fn g() { } }",
            "fn f(a, a) { }",
            "fn f() {} fn f() {}",
            "let a = 1; a += ;",
            "if 3 { }",
            "for x in 5 { }",
            "do { } until",
            "try { } catch",
            "let a = 0x;",
            "let a = 1.2.3;",
            "let a = \"\\q\";",
            "let c = 'ab';",
            "import \"x\" as;",
            "export let a = 1; fn f() { export let b = 2; }",
            "let a = |x| ;",
            "let a = |x y| x;",
        ];
        let english = [
            "Expecting",
            "expecting",
            " the ",
            " this ",
            "Unexpected",
            "Invalid",
        ];
        let engine = rhai::Engine::new();
        for source in snippets {
            let Err(error) = engine.compile(source) else {
                continue; // not an error after all: nothing to say
            };
            let message = parse_message(error.err_type());
            assert!(
                !english.iter().any(|word| message.contains(word)),
                "{source}: {message}"
            );
        }
    }

    #[test]
    fn arithmetic_keeps_the_operation() {
        assert_eq!(arithmetic("Division by zero: 5 / 0"), "chia cho 0: 5 / 0");
        assert_eq!(arithmetic("something else"), "something else");
    }
}
