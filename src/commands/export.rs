//! `govscan export athena`: the `CREATE EXTERNAL TABLE` statements for the trail lake and
//! the snapshots (`export::athena`).

use crate::cli::ExportAthenaArgs;
use govscan::export::athena::{athena_ddl, DdlError};
use govscan::store::DataDir;

use super::CommandError;

pub fn athena(data_dir: &DataDir, args: &ExportAthenaArgs) -> Result<(), CommandError> {
    let location = match (&args.location, data_dir) {
        (Some(l), _) => l.clone(),
        (None, DataDir::S3(_)) => data_dir.to_string(),
        (None, DataDir::Local(path)) => std::path::absolute(path)?.to_string_lossy().into_owned(),
    };
    let ddl = athena_ddl(&location, &args.database).map_err(|e| match e {
        DdlError::Database(_) => CommandError::Usage(format!("--database {e}")),
        DdlError::Type(_) => CommandError::Usage(e.to_string()),
    })?;
    super::write_output(args.output.as_deref(), &ddl)
}
