//! `--engine ballista://`: a Ballista scheduler and two executors, each its own
//! `govscan cluster` process on 127.0.0.1, run the check suite, the hunt suite and queries
//! over a snapshot and a trail lake in a moto S3 bucket, and answer exactly as local
//! execution does. Built with the `cluster` feature (scripts/test enables it); without it,
//! the flag is refused with a message saying how to build it.

use crate::common;

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
            // The scheduler's job lifecycle (queued, submitted, cancelled) is logged at info.
            .env("RUST_LOG", "warn,ballista_scheduler=info")
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

    /// Polls `probe` every 100 ms until it answers, or `limit` passes.
    fn wait_for<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(answer) = probe() {
                return Some(answer);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
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

        // An interrupted client cancels its job on the cluster (Ballista's client would leave
        // it running) and still removes what it staged. The query stages a computed table
        // and sums over the lake joined with itself: tens of billions of rows, far longer
        // than the test waits. (A count(*) would be answered from Parquet statistics.)
        let log_before = std::fs::read_to_string(&scheduler_log).unwrap().len();
        let mut client = common::govscan_command(
            on_s3,
            &moto.url,
            &[
                "--engine",
                &engine,
                "query",
                "SELECT sum(length(a.event_name) + length(b.event_name) + length(c.event_name)) \
                 FROM cloudtrail_events a, cloudtrail_events b, cloudtrail_events c, \
                 s3_bucket_exposure e",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let new_log = || std::fs::read_to_string(&scheduler_log).unwrap()[log_before..].to_owned();
        // A command may run short jobs before its long one: wait for a job that is still
        // running two seconds after it was submitted.
        let unfinished = || {
            let log = new_log();
            log.split("Job submitted: [")
                .skip(1)
                .filter_map(|rest| rest.split(']').next())
                .find(|id| !log.contains(&format!("Job finished successfully: [{id}]")))
                .map(str::to_owned)
        };
        let job = wait_for(Duration::from_secs(120), || {
            let job = unfinished()?;
            std::thread::sleep(Duration::from_secs(2));
            (unfinished().as_ref() == Some(&job)).then_some(job)
        })
        .unwrap_or_else(|| panic!("no long job submitted: {}", new_log()));
        assert!(
            client.try_wait().unwrap().is_none(),
            "the query ended before it was interrupted"
        );
        let pid = client.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let exited = wait_for(Duration::from_secs(60), || client.try_wait().unwrap());
        let status = exited.expect("the client still runs 60 s after SIGINT");
        let mut stderr = String::new();
        std::io::Read::read_to_string(client.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(130), "{stderr}");
        assert!(
            stderr.contains("interrupted by SIGINT (cancelled 1 running cluster job(s))"),
            "{stderr}\nscheduler: {}",
            new_log()
        );
        let cancelled = format!("Job cancelled: [{job}]");
        assert!(
            wait_for(Duration::from_secs(30), || new_log()
                .contains(&cancelled)
                .then_some(()))
            .is_some(),
            "the scheduler did not cancel {job}: {}",
            new_log()
        );

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
