//! The raw client's inventory: every operation (method, path, name) and every type, read from
//! the checked-in generated code. A change to the client shows up here as a readable diff.

use std::path::Path;

use syn::{ImplItem, Item};

fn generated() -> syn::File {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hubspot-communications-raw/src/generated.rs");
    syn::parse_file(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn operations_and_types() {
    let file = generated();
    let mut operations = Vec::new();
    let mut types = Vec::new();
    for item in &file.items {
        match item {
            Item::Impl(block) if block.trait_.is_none() => {
                for member in &block.items {
                    let ImplItem::Fn(method) = member else {
                        continue;
                    };
                    let docs = doc_lines(&method.attrs).join("\n");
                    // "Sends a `GET` request to `/path`"
                    let Some(rest) = docs.split("Sends a `").nth(1) else {
                        continue;
                    };
                    let mut parts = rest.split('`');
                    let (verb, path) = (parts.next().unwrap(), parts.nth(1).unwrap());
                    operations.push(format!("{verb:6} {path}  ->  {}", method.sig.ident));
                }
            }
            Item::Mod(module) if module.ident == "types" => {
                for item in &module.content.as_ref().unwrap().1 {
                    match item {
                        Item::Struct(s) => types.push(format!("struct {}", s.ident)),
                        Item::Enum(e) => types.push(format!("enum {}", e.ident)),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    operations.sort();
    types.sort();
    assert!(!operations.is_empty() && !types.is_empty());
    insta::assert_snapshot!(
        "raw_client_inventory",
        format!(
            "{} operations\n{}\n\n{} types\n{}\n",
            operations.len(),
            operations.join("\n"),
            types.len(),
            types.join("\n")
        )
    );
}
