//! One module per subcommand.
pub mod check;
pub mod compare;
pub mod run;
pub mod sweep;
pub mod validate;
