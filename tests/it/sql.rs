//! govscan's SQL functions tested as data: each `tests/it/sql/*.sql` file holds statements
//! (each with a comment saying what it shows), run on a session with govscan's functions and
//! no tables; the statements and their result tables (NULL written out) are the file's insta snapshot
//! (`tests/it/snapshots/it__sql__<file>.snap`). A new file is a new test; after an intended
//! change, review the snapshot diff (`cargo insta review`).

use datafusion::arrow::util::display::FormatOptions;
use datafusion::arrow::util::pretty::pretty_format_batches_with_options;

use crate::common::manifest_dir;

/// The statements of a file: split on `;` at the end of a line (the files' strings hold
/// none there).
fn statements(text: &str) -> Vec<String> {
    text.split(";\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn sql_functions_answer_as_their_files_record() {
    let dir = manifest_dir().join("tests/it/sql");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "the SQL cases in {}", dir.display());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let ctx = govscan::engine::new_context().unwrap();
        let mut transcript = String::new();
        for statement in statements(&text) {
            let fail = |e: datafusion::error::DataFusionError| -> ! {
                panic!("{}: {statement}\n{e}", file.display())
            };
            let df = ctx.sql(&statement).await.unwrap_or_else(|e| fail(e));
            let batches = df.collect().await.unwrap_or_else(|e| fail(e));
            // NULL shown as such: an empty string and no value are different answers.
            let options = FormatOptions::default().with_null("NULL");
            let table = pretty_format_batches_with_options(&batches, &options).unwrap();
            transcript.push_str(&format!("{statement};\n{table}\n\n"));
        }
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, transcript);
    }
}
