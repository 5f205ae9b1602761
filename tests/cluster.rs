//! `--engine ballista://`: a Ballista scheduler and two executors, each its own
//! `govscan cluster` process on 127.0.0.1, run the check suite, the hunt suite and queries
//! over a snapshot and a trail lake in a moto S3 bucket, and answer exactly as local
//! execution does. Built with the `cluster` feature (scripts/test enables it); without it,
//! the flag is refused with a message saying how to build it.

mod common;

#[cfg(not(feature = "cluster"))]
#[test]
fn without_the_cluster_feature_a_ballista_engine_is_refused_with_how_to_build_it() {
    let work = tempfile::tempdir().unwrap();
    let out = common::govscan(
        work.path(),
        "http://127.0.0.1:9",
        &["--engine", "ballista://127.0.0.1:50050", "check"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("--features cluster"),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn an_engine_that_is_neither_local_nor_ballista_is_a_usage_error() {
    let work = tempfile::tempdir().unwrap();
    let out = common::govscan(
        work.path(),
        "http://127.0.0.1:9",
        &["--engine", "spark://somewhere:7077", "query", "SELECT 1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("ballista://HOST:PORT"),
        "{}",
        common::stderr(&out)
    );
}

#[cfg(feature = "cluster")]
mod on_a_cluster {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::path::Path;
    use std::process::{Child, Command, Output, Stdio};
    use std::time::{Duration, Instant};

    /// A `govscan cluster` role, killed when dropped.
    struct Role(Child);

    impl Drop for Role {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    fn role(moto: &str, args: &[&str], log: &Path) -> Role {
        let child = Command::new(env!("CARGO_BIN_EXE_govscan"))
            .arg("cluster")
            .args(args)
            .envs(common::aws_env())
            // The executors and the scheduler read the bucket through the environment.
            .env("AWS_ENDPOINT_URL", moto)
            .env_remove("AWS_PROFILE")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("start govscan cluster");
        Role(child)
    }

    fn wait_for_port(port: u16, role: &mut Role, log: &Path) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = role.0.try_wait() {
                panic!(
                    "cluster role exited with {status}: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("nothing listens on port {port} after 60 s");
    }

    fn timed(data: &Path, moto: &str, args: &[&str]) -> (Output, Duration) {
        let start = Instant::now();
        let out = common::govscan(data, moto, args);
        (out, start.elapsed())
    }

    #[test]
    fn a_scheduler_and_two_executors_answer_checks_hunts_and_queries_as_local_execution_does() {
        let moto = common::start_moto();
        let work = tempfile::tempdir().unwrap();
        let local = common::demo_data(work.path());
        let remote = "s3://cluster-lake/govscan";
        common::s3_tree(&moto.url, &["upload", local.to_str().unwrap(), remote]);
        let on_s3 = Path::new(remote);

        let scheduler_port = free_port();
        let scheduler_log = work.path().join("scheduler.log");
        let mut scheduler = role(
            &moto.url,
            &[
                "scheduler",
                "--bind",
                &format!("127.0.0.1:{scheduler_port}"),
            ],
            &scheduler_log,
        );
        wait_for_port(scheduler_port, &mut scheduler, &scheduler_log);
        let mut executors = Vec::new();
        for n in 0..2 {
            let (flight, grpc) = (free_port(), free_port());
            let log = work.path().join(format!("executor-{n}.log"));
            let mut executor = role(
                &moto.url,
                &[
                    "executor",
                    "--scheduler",
                    &format!("127.0.0.1:{scheduler_port}"),
                    "--port",
                    &flight.to_string(),
                    "--grpc-port",
                    &grpc.to_string(),
                    "--vcores",
                    "2",
                ],
                &log,
            );
            wait_for_port(flight, &mut executor, &log);
            executors.push(executor);
        }
        let engine = format!("ballista://127.0.0.1:{scheduler_port}");

        let suites: [&[&str]; 5] = [
            &["check", "--format", "json"],
            &["hunt", "--format", "json"],
            // A computed policy table: built here, staged to S3, read by the executors.
            &[
                "query",
                "--format",
                "json",
                "SELECT * FROM s3_bucket_exposure ORDER BY 1, 2, 3",
            ],
            // A shuffle: grouping over the lake's partitions.
            &[
                "query",
                "--format",
                "json",
                "SELECT event_date, event_source, count(*) AS n FROM cloudtrail_events \
                 GROUP BY event_date, event_source ORDER BY event_date, event_source",
            ],
            // govscan's own functions run on the executors.
            &[
                "query",
                "--format",
                "json",
                "SELECT arn_account(user_identity['arn']) AS account, count(*) AS n \
                 FROM cloudtrail_events GROUP BY 1 ORDER BY 1 NULLS FIRST",
            ],
        ];
        for args in suites {
            let (want, local_time) = timed(on_s3, &moto.url, args);
            let mut on_cluster = vec!["--engine", engine.as_str()];
            on_cluster.extend_from_slice(args);
            let (got, cluster_time) = timed(on_s3, &moto.url, &on_cluster);
            assert_eq!(
                got.status.code(),
                want.status.code(),
                "{args:?} on the cluster: {}",
                common::stderr(&got)
            );
            let (want, got) = (common::json(&want), common::json(&got));
            assert!(
                common::answer_rows(&want) > 0,
                "{args:?} answered nothing: {want}"
            );
            assert_eq!(got, want, "{args:?} differs on the cluster");
            eprintln!(
                "{:?}: local {:.2} s, cluster {:.2} s",
                args[0],
                local_time.as_secs_f64(),
                cluster_time.as_secs_f64()
            );
        }

        // What was staged for the executors is gone once the command ends.
        let left = common::s3_tree(&moto.url, &["list", &format!("{remote}/scratch")]);
        assert_eq!(left.trim(), "", "staged tables left behind");
        drop(executors);
        drop(scheduler);
    }

    #[test]
    fn a_cluster_that_does_not_answer_is_an_error_not_an_empty_result() {
        let work = tempfile::tempdir().unwrap();
        let local = common::demo_data(work.path());
        let closed = free_port();
        let out = common::govscan(
            &local,
            "http://127.0.0.1:9",
            &[
                "--engine",
                &format!("ballista://127.0.0.1:{closed}"),
                "check",
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
        assert!(
            common::stderr(&out).contains(&closed.to_string()),
            "{}",
            common::stderr(&out)
        );
    }
}
