//! `govscan export athena` against the real files: the DDL for the trail lake and every
//! snapshot table, checked by an independent Parquet reader (pyarrow, in the test venv)
//! column by column and type by type, and its locations checked against the data directory.

use std::process::Command;

use crate::common;

#[test]
fn athena_ddl_matches_the_parquet_files_it_points_at() {
    let work = tempfile::tempdir().unwrap();
    let data = common::demo_data(work.path());
    let ddl_path = work.path().join("tables.sql");
    let export = Command::new(env!("CARGO_BIN_EXE_govscan"))
        .arg("--data-dir")
        .arg(&data)
        .args(["export", "athena", "--output"])
        .arg(&ddl_path)
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", common::stderr(&export));

    let script = r#"
import glob, os, re, sys
import pyarrow as pa, pyarrow.parquet as pq

def hive(t):
    if pa.types.is_string(t) or pa.types.is_large_string(t): return "string"
    if pa.types.is_boolean(t): return "boolean"
    if pa.types.is_int64(t): return "bigint"
    if pa.types.is_int32(t): return "int"
    if pa.types.is_float64(t): return "double"
    if pa.types.is_timestamp(t): return "timestamp"
    if pa.types.is_list(t) or pa.types.is_large_list(t): return "array<%s>" % hive(t.value_type)
    if pa.types.is_struct(t): return "struct<%s>" % ",".join("%s:%s" % (f.name, hive(f.type)) for f in t)
    raise SystemExit("unexpected type %s" % t)

ddl = open(sys.argv[1]).read()
tables = re.findall(r"CREATE EXTERNAL TABLE IF NOT EXISTS `\w+`\.`(\w+)` \(\n(.*?)\n\)\nPARTITIONED BY \(`(\w+)` string\).*?'storage.location.template' = '([^']*)'", ddl, re.S)
checked = 0
for name, body, partition, template in tables:
    declared = [tuple(re.match(r"  `(\w+)` (.*?),?$", line).groups()) for line in body.split("\n")]
    if partition == "event_date":
        folders = sorted(glob.glob(template.replace("${event_date}", "*")))
    else:
        folders = sorted(glob.glob(template.replace("${snapshot_id}", "*")))
    assert folders, "%s: no folder matches %s" % (name, template)
    files = [f for folder in folders for f in glob.glob(os.path.join(folder, "*.parquet"))]
    assert files, "%s: no Parquet file under %s" % (name, template)
    for f in files:
        actual = [(field.name, hive(field.type)) for field in pq.read_schema(f)]
        if actual != declared:
            for a, d in zip(actual, declared):
                if a != d: print("first difference", a, d)
            raise SystemExit("%s: %s does not match the DDL" % (name, f))
        assert partition not in [c for c, _ in actual], "%s: the partition column is in the file" % name
    checked += 1
print(checked)
"#;
    let out = Command::new(common::python())
        .arg("-c")
        .arg(script)
        .arg(&ddl_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        common::stdout(&out),
        common::stderr(&out)
    );
    let checked: usize = common::stdout(&out).trim().parse().unwrap();
    // The lake and every snapshot table.
    assert_eq!(checked, 1 + govscan::collect::all_tables().len());
    let ddl = std::fs::read_to_string(&ddl_path).unwrap();
    assert!(ddl.contains("'projection.event_date.type' = 'date'"));

    // An S3 location is used as given; a database name cannot carry SQL.
    let s3 = Command::new(env!("CARGO_BIN_EXE_govscan"))
        .arg("--data-dir")
        .arg(&data)
        .args([
            "export",
            "athena",
            "--location",
            "s3://acme-sec/govscan/",
            "--database",
            "sec",
        ])
        .output()
        .unwrap();
    let text = common::stdout(&s3);
    assert!(
        text.contains("LOCATION 's3://acme-sec/govscan/snapshots/'"),
        "{text}"
    );
    assert!(text.contains("'s3://acme-sec/govscan/snapshots/${snapshot_id}/iam_users/'"));
    assert!(text.contains("CREATE EXTERNAL TABLE IF NOT EXISTS `sec`.`iam_users`"));
    let bad = Command::new(env!("CARGO_BIN_EXE_govscan"))
        .args(["export", "athena", "--database", "x`; DROP TABLE y; --"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
