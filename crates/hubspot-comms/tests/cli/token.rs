//! Without a token nothing runs: every command refuses, names HUBSPOT_ACCESS_TOKEN and --demo,
//! and neither writes a file nor sends a request; `--demo` runs on the embedded fake (never the
//! server the environment names); each command's `--help` ends with its exit codes; no output
//! shows the token.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Run, TOKEN, config, fake, run, write};
use hubspot_comms::exit;

const ROW: &str = r#"{"id": "SM1", "phone": "+1 415 555 0100", "body": "Hi", "timestamp": "2026-11-02T09:00:00Z"}"#;

/// The commands, each with the arguments that would make it write a file.
const COMMANDS: [&[&str]; 3] = [
    &["setup"],
    &["import", "messages.jsonl"],
    &["export", "out.jsonl", "--progress", "none"],
];

/// The names of the files in `directory`.
fn files(directory: &Path) -> BTreeSet<String> {
    std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_no_command_runs_and_each_says_what_to_set() {
    // A fake at HUBSPOT_BASE_URL: were anything sent, it would be counted there.
    let fake = fake(config()).await;
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "messages.jsonl", ROW);
    let before = files(directory.path());
    for args in COMMANDS {
        for token in [None, Some(""), Some("  \t")] {
            let mut command = common::without_token(directory.path());
            command.env("HUBSPOT_BASE_URL", fake.base_url()).args(args);
            if let Some(token) = token {
                command.env("HUBSPOT_ACCESS_TOKEN", token);
            }
            let refused = run(command).await;
            assert_eq!(
                refused.code,
                i32::from(exit::COULD_NOT_RUN),
                "{args:?} {token:?}: {refused:?}"
            );
            assert!(
                refused.stderr.contains("HUBSPOT_ACCESS_TOKEN"),
                "{refused:?}"
            );
            assert!(refused.stderr.contains("--demo"), "{refused:?}");
            assert_eq!(refused.stdout, "", "nothing is reported done");
        }
    }
    assert_eq!(fake.stats().requests, 0, "no request reached the server");
    assert_eq!(files(directory.path()), before, "no file was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_imports_on_the_embedded_fake_not_on_the_server_the_environment_names() {
    let fake = fake(config()).await;
    let directory = tempfile::tempdir().unwrap();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/twilio-export.csv");
    std::fs::copy(demo, directory.path().join("demo.csv")).unwrap();
    for token in [None, Some(TOKEN)] {
        let mut command = common::without_token(directory.path());
        command
            .env("HUBSPOT_BASE_URL", fake.base_url())
            .env("HUBSPOT_API_VERSION", "")
            .args([
                "import",
                "demo.csv",
                "--demo",
                "--restart",
                "--default-region",
                "US",
            ])
            .args(["--progress", "none"]);
        if let Some(token) = token {
            command.env("HUBSPOT_ACCESS_TOKEN", token);
        }
        let imported = run(command).await;
        assert!(imported.stderr.contains("embedded fake"), "{imported:?}");
        // Of the demo file's seven rows, one has no date and one a number no demo contact holds.
        assert_eq!(
            imported.code,
            i32::from(exit::SOME_LEFT_OUT),
            "{imported:?}"
        );
        assert_eq!(imported.count("logged"), 5, "{imported:?}");
        assert_eq!(imported.count("bad rows (skipped)"), 1, "{imported:?}");
        assert_eq!(imported.count("contact not found"), 1, "{imported:?}");
    }
    assert_eq!(
        fake.stats().requests,
        0,
        "--demo never uses the environment's server"
    );
    assert!(fake.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_setup_finds_the_key_property_of_the_embedded_fake() {
    let directory = tempfile::tempdir().unwrap();
    let mut command = common::without_token(directory.path());
    command.args(["setup", "--demo"]);
    let made = run(command).await;
    assert_eq!(made.code, i32::from(exit::OK), "{made:?}");
    assert!(made.stdout.contains("nothing to do"), "{made:?}");
    assert!(made.stdout.contains("embedded fake"), "{made:?}");
}

async fn help(args: &[&str], token: &str) -> Run {
    let directory = tempfile::tempdir().unwrap();
    let mut command = common::without_token(directory.path());
    command.env("HUBSPOT_ACCESS_TOKEN", token).args(args);
    run(command).await
}

#[tokio::test(flavor = "multi_thread")]
async fn each_commands_help_ends_with_its_exit_codes_and_never_shows_the_token() {
    let secret = "pat-na1-never-printed";
    for (command, codes) in [
        ("setup", exit::SETUP),
        ("import", exit::IMPORT),
        ("export", exit::EXPORT),
    ] {
        for flag in ["-h", "--help"] {
            let shown = help(&[command, flag], secret).await;
            assert_eq!(shown.code, 0, "{shown:?}");
            assert!(
                shown
                    .stdout
                    .trim_end()
                    .ends_with(exit::help(codes).trim_end()),
                "{command} {flag}:\n{}",
                shown.stdout
            );
            assert!(shown.stdout.contains("HUBSPOT_ACCESS_TOKEN"), "{shown:?}");
            assert!(shown.stdout.contains("--demo"), "{shown:?}");
            assert!(!shown.stdout.contains(secret), "{}", shown.stdout);
        }
    }
    let general = help(&["--help"], secret).await;
    assert!(
        general.stdout.contains(&exit::help(exit::ALL)),
        "{general:?}"
    );
    assert!(!general.stdout.contains(secret));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_the_server_refuses_is_not_printed() {
    let fake = fake(config()).await;
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "messages.jsonl", ROW);
    let secret = "pat-na1-refused-and-never-printed";
    for args in COMMANDS {
        let mut command = common::without_token(directory.path());
        command
            .env("HUBSPOT_ACCESS_TOKEN", secret)
            .env("HUBSPOT_BASE_URL", fake.base_url())
            .args(args);
        let refused = run(command).await;
        assert_eq!(
            refused.code,
            i32::from(exit::COULD_NOT_RUN),
            "{args:?}: {refused:?}"
        );
        assert!(!refused.stderr.contains(secret), "{}", refused.stderr);
        assert!(!refused.stdout.contains(secret), "{}", refused.stdout);
    }
    assert!(fake.stats().requests > 0, "the token was tried");
}
