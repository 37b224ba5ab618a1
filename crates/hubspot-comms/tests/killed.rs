//! A run killed (SIGKILL, no chance to clean up) halfway through resumes from its state file,
//! and between them every message is logged once: none lost, none twice.

mod common;

use std::time::{Duration, Instant};

use common::{command, config, contact, fake, import, one_per_key, write};
use hubspot_comms::state::State;

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_run_resumes_with_none_lost_or_duplicated() {
    // Slow enough (5 requests a second) that the run is killed long before its end.
    let fake = fake(config().rate_limit(5, Duration::from_secs(1))).await;
    let contacts: Vec<String> = (0..10)
        .map(|i| contact(&fake, &[("phone", &format!("+1 415 555 01{i:02}"))]))
        .collect();
    let rows = 1_500;
    let lines: Vec<String> = (0..rows)
        .map(|i| {
            format!(
                r#"{{"id": "k{i}", "phone": "(415) 555-01{:02}", "body": "m{i}", "timestamp": {}}}"#,
                i % 10,
                1_793_500_000 + i
            )
        })
        .collect();
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "history.jsonl", &lines.join("\n"));
    let state_path = directory
        .path()
        .join("history.jsonl.report.jsonl.state.json");

    let mut child = command(&fake, directory.path())
        .args(["import", "history.jsonl", "--default-region", "US"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let settled = loop {
        let settled = State::load(&state_path)
            .ok()
            .flatten()
            .map_or(0, |s| s.counts.rows);
        if settled > 0 {
            break settled;
        }
        assert!(
            Instant::now() < deadline,
            "no progress saved within a minute"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "it ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    child.kill().expect("killed");
    child.wait().unwrap();
    let stored_when_killed = fake.message_count();
    assert!(
        (settled as usize) < rows && stored_when_killed < rows,
        "killed halfway: {settled} settled, {stored_when_killed} stored"
    );

    let rest = import(
        &fake,
        directory.path(),
        "history.jsonl",
        &["--default-region", "US"],
    )
    .await;

    assert_eq!(rest.code, 0, "{rest:?}");
    assert_eq!(rest.count("rows"), rows as u64, "both runs' rows");
    assert_eq!(
        rest.count("logged") + rest.count("already logged"),
        rows as u64
    );
    let stored = one_per_key(&fake);
    assert_eq!(stored.len(), rows, "none lost");
    for i in 0..rows {
        assert_eq!(
            stored[&format!("k{i}")].contacts,
            [contacts[i % 10].clone()],
            "k{i} on its contact"
        );
    }
    assert!(!state_path.exists());
}
