//! The export's progress on stderr, in messages written: a bar with rate and ETA on a terminal
//! (a spinner with the rate while the total is unknown), a plain line every few seconds
//! otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::ProgressArg;

const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub(crate) struct Progress {
    shown: Shown,
    started: Instant,
    /// Messages written when this run started (a resumed run's head start).
    start: u64,
    done: u64,
    total: Option<u64>,
    detail: String,
}

enum Shown {
    Bar(ProgressBar),
    Plain { printed: Instant },
    Nothing,
}

impl Progress {
    pub(crate) fn new(mode: ProgressArg, done: u64) -> Self {
        let bar = match mode {
            ProgressArg::Auto => std::io::stderr().is_terminal(),
            ProgressArg::Bar => true,
            ProgressArg::Plain | ProgressArg::None => false,
        };
        let shown = if bar {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
            bar.set_style(spinner());
            bar.set_position(done);
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
            started: Instant::now(),
            start: done,
            done,
            total: None,
            detail: String::new(),
        }
    }

    /// How many messages there are in all, once known.
    pub(crate) fn set_total(&mut self, total: u64) {
        let total = total.max(self.done);
        self.total = Some(total);
        if let Shown::Bar(bar) = &self.shown {
            bar.set_length(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} messages, \
                     {per_sec} {msg} ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
    }

    /// `done` messages written in all; `detail` says more (contacts done, say).
    pub(crate) fn update(&mut self, done: u64, detail: String) {
        self.done = done;
        if let Some(total) = self.total
            && done > total
        {
            self.set_total(done);
        }
        match &mut self.shown {
            Shown::Bar(bar) => {
                bar.set_position(done);
                bar.set_message(detail);
            }
            Shown::Plain { printed } if printed.elapsed() >= PLAIN_EVERY => {
                *printed = Instant::now();
                self.detail = detail;
                eprintln!("{}", self.line());
            }
            _ => self.detail = detail,
        }
    }

    pub(crate) fn finish(&self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
    }

    /// The plain line: messages, share of the total, rate, ETA.
    fn line(&self) -> String {
        let seconds = self.started.elapsed().as_secs_f64();
        let written = self.done.saturating_sub(self.start) as f64;
        let rate = if seconds > 0.0 {
            written / seconds
        } else {
            0.0
        };
        let mut line = format!("progress: {} messages exported", self.done);
        if let Some(total) = self.total.filter(|total| *total > 0) {
            let share = self.done as f64 * 100.0 / total as f64;
            line.push_str(&format!(" of {total} ({share:.0} %)"));
        }
        line.push_str(&format!(", {rate:.0} messages/s"));
        if !self.detail.is_empty() {
            line.push_str(&format!(", {}", self.detail));
        }
        match self.total {
            Some(total) if rate > 0.0 => {
                let left = total.saturating_sub(self.done) as f64 / rate;
                line.push_str(&format!(", ETA {left:.0} s"));
            }
            _ => line.push_str(", ETA unknown"),
        }
        line
    }
}

fn spinner() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} messages, {per_sec} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}
