//! A run killed (SIGKILL, no chance to clean up) halfway through resumes from its state file,
//! and between them every message is logged once: none lost, none twice.

use crate::common;

use std::time::{Duration, Instant};

use common::{command, config, contact, fake, import, one_per_key, write};
use hubspot_comms::import::state::State;
use hubspot_comms::resume::StateFile;
use hubspot_communications_mock::RateLimit;

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_run_resumes_with_none_lost_or_duplicated() {
    // Slow enough (3 requests a second: about 6 s for the ~18 requests of 1,500 rows) that the
    // run is killed long before its end, at its first saved state (2 s in), even on a loaded
    // machine (at 5 a second a run once ended before the test saw its state).
    let fake = fake(config().rate_limit(RateLimit::new(3, Duration::from_secs(1)))).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn rows_logged_out_of_order_are_not_sent_again() {
    let fake = fake(config()).await;
    contact(&fake, &[("phone", "+14155550100")]);
    let lines: Vec<String> = (0..10)
        .map(|i| {
            format!(r#"{{"id": "k{i}", "phone": "+14155550100", "body": "m{i}", "timestamp": 1793500000}}"#)
        })
        .collect();
    let directory = tempfile::tempdir().unwrap();
    let file = write(directory.path(), "history.jsonl", &lines.join("\n"));
    // As an earlier run left it: rows 1-2 settled in order (one reported), rows 5-7 logged
    // while row 3 was still waiting.
    let report = directory.path().join("history.jsonl.report.jsonl");
    std::fs::write(&report, "{\"line\":2}\n").unwrap();
    let mut state = State::new(
        hubspot_comms::import::state::fingerprint(&file).unwrap(),
        hubspot_comms::DEFAULT_KEY_PROPERTY.to_owned(),
    );
    state.settled_line = 2;
    state.report_bytes = 11;
    state.counts.rows = 2;
    state.counts.logged = 1;
    state.counts.not_found = 1;
    state.done = vec![hubspot_comms::import::state::Done {
        first_line: 5,
        last_line: 7,
        already_logged: false,
    }];
    state
        .save(
            &directory
                .path()
                .join("history.jsonl.report.jsonl.state.json"),
        )
        .unwrap();

    let run = import(&fake, directory.path(), "history.jsonl", &[]).await;

    assert_eq!(
        run.code, 2,
        "the earlier run's not-found row counts: {run:?}"
    );
    assert_eq!(run.count("rows"), 10);
    assert_eq!(run.count("logged"), 1 + 3 + 5);
    let stored = one_per_key(&fake);
    let keys: Vec<&str> = stored.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["k2", "k3", "k7", "k8", "k9"],
        "rows 3, 4, 8, 9, 10 sent; 1, 2, 5-7 not"
    );
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "{\"line\":2}\n");
}
