//! Progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds
//! otherwise (logs, CI). Measured in bytes of the input settled, which is known from the start,
//! unlike the number of rows.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::ProgressArg;

/// How often a plain line is printed.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// The progress display of one run.
#[derive(Debug)]
pub struct Progress {
    shown: Shown,
    total_bytes: u64,
    started: Instant,
    /// Bytes and rows settled when this run started (a resumed run's head start).
    start: (u64, u64),
    last: (u64, u64),
}

#[derive(Debug)]
enum Shown {
    Bar(ProgressBar),
    Plain { printed: Instant },
    Nothing,
}

impl Progress {
    /// Progress over an input of `total_bytes`, of which a resumed run has settled `bytes`
    /// (`rows` rows) already.
    pub fn new(mode: ProgressArg, total_bytes: u64, bytes: u64, rows: u64) -> Self {
        let bar = match mode {
            ProgressArg::Auto => std::io::stderr().is_terminal(),
            ProgressArg::Bar => true,
            ProgressArg::Plain | ProgressArg::None => false,
        };
        let shown = if bar {
            let bar = ProgressBar::with_draw_target(
                Some(total_bytes),
                ProgressDrawTarget::stderr_with_hz(4),
            );
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg} ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_position(bytes);
            Shown::Bar(bar)
        } else if mode == ProgressArg::None {
            Shown::Nothing
        } else {
            Shown::Plain {
                printed: Instant::now(),
            }
        };
        Self {
            shown,
            total_bytes,
            started: Instant::now(),
            start: (bytes, rows),
            last: (bytes, rows),
        }
    }

    /// Every row up to `bytes` of the input is settled, `rows` rows in all.
    pub fn update(&mut self, bytes: u64, rows: u64) {
        self.last = (bytes, rows);
        let rate = self.rows_per_second();
        match &mut self.shown {
            Shown::Bar(bar) => {
                bar.set_position(bytes);
                bar.set_message(format!("{rows} rows, {rate:.0} rows/s"));
            }
            Shown::Plain { printed } if printed.elapsed() >= PLAIN_EVERY => {
                *printed = Instant::now();
                eprintln!("{}", self.line());
            }
            _ => {}
        }
    }

    /// Takes the bar off the screen.
    pub fn finish(&self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
    }

    fn rows_per_second(&self) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        if seconds <= 0.0 {
            return 0.0;
        }
        (self.last.1 - self.start.1) as f64 / seconds
    }

    /// The plain line: rows, share of the file, rate, ETA.
    fn line(&self) -> String {
        let (bytes, rows) = self.last;
        let share = if self.total_bytes == 0 {
            100.0
        } else {
            bytes as f64 * 100.0 / self.total_bytes as f64
        };
        let seconds = self.started.elapsed().as_secs_f64();
        let done = bytes.saturating_sub(self.start.0) as f64;
        let eta = if done > 0.0 {
            let left = self.total_bytes.saturating_sub(bytes) as f64;
            format!("{:.0} s", left * seconds / done)
        } else {
            "unknown".to_owned()
        };
        format!(
            "progress: {rows} rows settled ({share:.0} % of the file), {:.0} rows/s, ETA {eta}",
            self.rows_per_second()
        )
    }
}
