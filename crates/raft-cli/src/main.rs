//! `raftsim`: run Raft scenarios and chaos schedules from the command line.
//!
//! - `args.rs` parses the command line (no dependencies);
//! - `run.rs` runs one scenario and prints its timeline, expectations and trace hash;
//! - `chaos.rs` runs many random fault schedules and prints how to reproduce each failure;
//! - `list.rs` lists the built-in scenarios and the teaching faults.
//!
//! Exit status: 0 when everything held, 1 when something failed, 2 on bad input.

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

/// Prints a line on stdout. Write errors (a closed pipe, as in `raftsim chaos | head`) are
/// ignored rather than turned into a panic.
macro_rules! say {
    () => {
        $crate::emit(format_args!(""))
    };
    ($($t:tt)*) => {
        $crate::emit(format_args!($($t)*))
    };
}

mod args;
mod chaos;
mod list;
mod run;

use args::Command;

pub fn emit(line: fmt::Arguments) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(line);
    let _ = out.write_all(b"\n");
}

/// Flushes stdout so that progress shows while a long command runs.
pub fn flush() {
    let _ = std::io::stdout().flush();
}

/// The result of a command: `Ok(true)` passed, `Ok(false)` failed (exit 1), `Err` bad input
/// (the message goes to stderr, exit 2).
pub type Outcome = Result<bool, String>;

fn main() -> ExitCode {
    let mut argv = Vec::new();
    for a in std::env::args_os().skip(1) {
        match a.into_string() {
            Ok(s) => argv.push(s),
            Err(a) => return bad_input(&format!("argument {a:?} is not valid UTF-8")),
        }
    }
    let outcome = match args::parse(&argv) {
        Err(e) => return bad_input(&format!("{e}\n(see 'raftsim --help' for usage)")),
        Ok(Command::Help) => {
            say!("{}", args::USAGE.trim_end());
            Ok(true)
        }
        Ok(Command::List) => {
            list::list();
            Ok(true)
        }
        Ok(Command::Run(r)) => run::run(&r),
        Ok(Command::Chaos(c)) => chaos::chaos(&c),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => bad_input(&e),
    }
}

fn bad_input(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr().lock(), "raftsim: error: {message}");
    ExitCode::from(2)
}
