//! `cargo xtask circles`: no import circle between the file modules of any crate target of the
//! workspace (each library and binary, from `cargo metadata`).
//!
//! A module is one file, found from the target's root by its `mod` declarations (unit tests,
//! `#[cfg(test)]`, left out: they are not the module's dependencies). Module A depends on B when
//! A's code names an item of B by a path (`crate::`, `super::`, `self::`, or a child module): in
//! a `use`, or anywhere in its code. A path through a re-export (`pub use x::Y` in a `lib.rs` or
//! `mod.rs`) counts as a dependency on the module that defines `Y`: re-exporting is how a folder
//! shows its contents, not a dependency of its own, and `pub use` lines make no edge. Paths
//! inside macro invocations are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use syn::visit::Visit;

/// A module's path from its crate root (`[]` for the root).
type ModPath = Vec<String>;

/// One file module: where it is, what it re-exports, and the paths its code names.
#[derive(Debug, Default)]
struct Module {
    file: PathBuf,
    /// Re-exported name → the path it stands for (relative to this module).
    reexports: BTreeMap<String, Vec<String>>,
    /// Every path its code names, relative to this module.
    named: Vec<Vec<String>>,
}

/// Checks every target; fails listing the circles found.
pub fn circles(root: &Path) -> Result<()> {
    let mut found = Vec::new();
    let mut checked = 0;
    for (name, src) in targets(root)? {
        let modules = crate_modules(&src).with_context(|| format!("reading {name}"))?;
        checked += modules.len();
        for circle in find_circles(&modules) {
            let files: Vec<String> = circle
                .iter()
                .map(|m| relative(root, &modules[m].file))
                .collect();
            found.push(format!("{name}: {}", files.join(" → ")));
        }
    }
    if found.is_empty() {
        println!("no import circle ({checked} modules)");
        return Ok(());
    }
    bail!("import circles:\n  {}", found.join("\n  "))
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// Each library and binary target of the workspace's members: (name, root file).
fn targets(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)?;
    let mut out = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        for target in package["targets"].as_array().into_iter().flatten() {
            let kinds = target["kind"].as_array().into_iter().flatten();
            if kinds
                .filter_map(Value::as_str)
                .any(|k| k == "lib" || k == "bin")
            {
                let name = format!("{} ({})", package["name"], target["name"]);
                out.push((
                    name.replace('"', ""),
                    target["src_path"].as_str().unwrap_or_default().into(),
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The file modules of the crate whose root is `root_file`.
fn crate_modules(root_file: &Path) -> Result<BTreeMap<ModPath, Module>> {
    let mut modules = BTreeMap::new();
    let mut pending = vec![(Vec::new(), root_file.to_path_buf())];
    while let Some((path, file)) = pending.pop() {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let ast =
            syn::parse_file(&text).with_context(|| format!("cannot parse {}", file.display()))?;
        let children_dir = children_dir(&file);
        let mut module = Module {
            file: file.clone(),
            ..Module::default()
        };
        read_items(&ast.items, 0, &mut module, &mut |name| {
            let candidates = [
                children_dir.join(format!("{name}.rs")),
                children_dir.join(name).join("mod.rs"),
            ];
            if let Some(child) = candidates.into_iter().find(|c| c.exists()) {
                let mut child_path = path.clone();
                child_path.push(name.to_owned());
                pending.push((child_path, child));
            }
        });
        modules.insert(path, module);
    }
    Ok(modules)
}

/// Where a file's child modules live: beside a `lib.rs`, `main.rs` or `mod.rs`, else in the
/// folder named after the file.
fn children_dir(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "main" | "mod") => dir,
        Some(stem) => dir.join(stem),
        None => dir,
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

/// Reads a module's items: its child modules (`child`), re-exports and named paths. An inline
/// `mod x { … }` is read as part of the file (`depth` inline modules deep: that many leading
/// `super`s of its paths stay inside the file).
fn read_items(items: &[syn::Item], depth: usize, module: &mut Module, child: &mut dyn FnMut(&str)) {
    let start = module.named.len();
    for item in items {
        match item {
            syn::Item::Mod(m) if is_test_only(&m.attrs) => {}
            syn::Item::Mod(m) => match &m.content {
                None if depth == 0 => child(&m.ident.to_string()),
                None => {}
                Some((_, inner)) => read_items(inner, depth + 1, module, child),
            },
            syn::Item::Use(u) if is_test_only(&u.attrs) => {}
            syn::Item::Use(u) => {
                let mut uses = Vec::new();
                flatten(&u.tree, &mut Vec::new(), &mut uses);
                // An inline module's re-exports are its own, not the file's: paths it names.
                let public = depth == 0 && !matches!(u.vis, syn::Visibility::Inherited);
                for (name, path) in uses {
                    match (public, name) {
                        (true, Some(name)) => {
                            module.reexports.insert(name, path);
                        }
                        (true, None) => {}
                        (false, _) => module.named.push(path),
                    }
                }
            }
            other if is_test_only(item_attrs(other)) => {}
            other => {
                let mut paths = Paths(&mut module.named);
                paths.visit_item(other);
            }
        }
    }
    if depth > 0 {
        // Inside an inline module `super` first climbs to the file's own module: `self`.
        for path in &mut module.named[start..] {
            // `self::super::X` is `super::X`.
            let selves = path.iter().take_while(|s| *s == "self").count();
            path.drain(..selves.min(path.len().saturating_sub(1)));
            let within = path
                .iter()
                .take(depth)
                .take_while(|s| *s == "super")
                .count();
            if within > 0 {
                path.splice(..within, ["self".to_owned()]);
            }
        }
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        _ => &[],
    }
}

/// A use tree as (the name it brings in, its full path); a glob brings no name.
fn flatten(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Option<String>, Vec<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            let ident = n.ident.to_string();
            if ident != "self" {
                path.push(ident.clone());
            }
            let name = if ident == "self" {
                prefix.last().cloned()
            } else {
                Some(ident)
            };
            out.push((name, path));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            out.push((Some(r.rename.to_string()), path));
        }
        syn::UseTree::Glob(_) => out.push((None, prefix.clone())),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten(tree, prefix, out);
            }
        }
    }
}

/// Collects the paths code names (those that may name a module of the crate).
struct Paths<'a>(&'a mut Vec<Vec<String>>);

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            self.0.push(segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // Inline modules are read by `read_items`, test ones left out.
    }
}

/// The module a path names from `from` (following re-exports to where the item is defined),
/// or `None` for another crate's.
fn resolve(
    modules: &BTreeMap<ModPath, Module>,
    from: &ModPath,
    path: &[String],
    depth: usize,
) -> Option<ModPath> {
    if depth > 32 || path.is_empty() {
        return None;
    }
    let (mut current, mut rest): (ModPath, &[String]) = match path[0].as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "super" | "self" => {
            let mut base = from.clone();
            let mut rest = path;
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            (base, rest)
        }
        first => {
            let mut child = from.clone();
            child.push(first.to_owned());
            if !modules.contains_key(&child) {
                return None;
            }
            (from.clone(), path)
        }
    };
    while let Some(first) = rest.first() {
        let mut next = current.clone();
        next.push(first.clone());
        if !modules.contains_key(&next) {
            break;
        }
        current = next;
        rest = &rest[1..];
    }
    if let Some(target) = rest
        .first()
        .and_then(|name| modules[&current].reexports.get(name))
    {
        let mut through: Vec<String> = target.clone();
        through.extend(rest[1..].iter().cloned());
        return resolve(modules, &current, &through, depth + 1);
    }
    Some(current)
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn find_circles(modules: &BTreeMap<ModPath, Module>) -> Vec<Vec<ModPath>> {
    let edges: BTreeMap<&ModPath, BTreeSet<ModPath>> = modules
        .iter()
        .map(|(path, module)| {
            let targets = module
                .named
                .iter()
                .filter_map(|named| resolve(modules, path, named, 0))
                .filter(|target| target != path)
                .collect();
            if std::env::var_os("XTASK_CIRCLES_DEBUG").is_some() {
                eprintln!("{} -> {:?}", module.file.display(), targets);
            }
            (path, targets)
        })
        .collect();
    let mut state = Tarjan::default();
    for path in modules.keys() {
        if !state.index.contains_key(path) {
            state.visit(path, &edges);
        }
    }
    state.circles
}

#[derive(Default)]
struct Tarjan {
    next: usize,
    index: BTreeMap<ModPath, usize>,
    low: BTreeMap<ModPath, usize>,
    stack: Vec<ModPath>,
    on_stack: BTreeSet<ModPath>,
    circles: Vec<Vec<ModPath>>,
}

impl Tarjan {
    fn visit(&mut self, v: &ModPath, edges: &BTreeMap<&ModPath, BTreeSet<ModPath>>) {
        self.index.insert(v.clone(), self.next);
        self.low.insert(v.clone(), self.next);
        self.next += 1;
        self.stack.push(v.clone());
        self.on_stack.insert(v.clone());
        for w in edges.get(v).into_iter().flatten() {
            if !self.index.contains_key(w) {
                self.visit(w, edges);
                let low = self.low[v].min(self.low[w]);
                self.low.insert(v.clone(), low);
            } else if self.on_stack.contains(w) {
                let low = self.low[v].min(self.index[w]);
                self.low.insert(v.clone(), low);
            }
        }
        if self.low[v] == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(&w);
                let done = &w == v;
                component.push(w);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.reverse();
                self.circles.push(component);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, file: &str, text: &str) {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn circles_of(dir: &Path) -> Vec<Vec<String>> {
        let modules = crate_modules(&dir.join("lib.rs")).unwrap();
        find_circles(&modules)
            .into_iter()
            .map(|c| c.into_iter().map(|p| p.join("::")).collect())
            .collect()
    }

    #[test]
    fn a_circle_is_found_and_a_reexport_is_followed_to_its_source() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "lib.rs", "mod a;\nmod b;\npub use b::Thing;\n");
        write(
            root,
            "a.rs",
            "pub(crate) struct A;\nfn f() -> crate::Thing { todo!() }\n",
        );
        write(root, "b.rs", "pub struct Thing;\nfn g(_: super::a::A) {}\n");
        assert_eq!(circles_of(root), [vec!["a".to_owned(), "b".to_owned()]]);
    }

    #[test]
    fn re_exports_tests_and_other_crates_make_no_edge() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "lib.rs",
            "mod m;\npub use m::X;\nfn f(_: crate::X) {}\n",
        );
        write(
            root,
            "m/mod.rs",
            "mod inner;\npub use inner::X;\nuse std::fmt::Debug;\n#[cfg(test)]\nmod tests { use crate::*; }\n",
        );
        write(
            root,
            "m/inner.rs",
            "pub struct X;\nfn g(_: &dyn std::fmt::Debug) {}\n",
        );
        assert!(circles_of(root).is_empty());
    }
}
