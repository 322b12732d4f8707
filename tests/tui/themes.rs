//! Every file in themes/ loads, sets every role, and is embedded as a built-in.

use lambdascope::ui::theme::{self, BUILTIN, ROLES};

#[test]
fn every_theme_file_loads() {
    let mut files = 0;
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/themes")).expect("themes/ exists")
    {
        let path = entry.expect("readable entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        files += 1;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let src = std::fs::read_to_string(&path).expect("readable theme");
        let t =
            theme::parse(name, &src, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.name, name);
        for (role, _) in ROLES {
            assert!(
                src.contains(&format!("{role} =")) || src.contains(&format!("\"{role}\" =")),
                "{name} misses {role}"
            );
        }
        assert!(
            BUILTIN.iter().any(|(n, s)| *n == name && *s == src),
            "{name} is not embedded as a built-in"
        );
    }
    assert!(
        files >= 4,
        "at least dark, light, high-contrast and monochrome"
    );
}
