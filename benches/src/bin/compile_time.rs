//! The compile-time cost of queries: generates crates with 200 distinct
//! queries written with foal's `select!` and the same 200 in Diesel's DSL,
//! plus each crate with its schema alone, builds them (debug, dependencies
//! already built), and reports the build time per query.
//!
//! ```text
//! cargo run --release -p foal-benches --bin compile_time [-- --queries 200 --runs 3]
//! ```
//!
//! The crates go to `target/compile-bench/`; Diesel's reuses the lock file
//! of `benches/peers`. Each measured build compiles the whole crate
//! (`CARGO_INCREMENTAL=0`, a changed comment); the best of `--runs` counts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The eight query shapes, each made distinct by `i`, in both libraries.
fn foal_query(i: usize) -> String {
    match i % 8 {
        0 => format!("select!(u for u in User if u.id > {i}).fetch_all(db).map(|r| r.len())"),
        1 => format!("select!(u.name for u in User if u.hair_color == \"c{i}\").fetch_all(db).map(|r| r.len())"),
        2 => format!(
            "select!((u.id, u.name) for u in User if u.name.starts_with(\"N{i}\") && u.id < {i}).fetch_all(db).map(|r| r.len())"
        ),
        3 => format!("select!(p for p in Post if p.user.name == \"u{i}\").fetch_all(db).map(|r| r.len())"),
        4 => format!("select!(count(p) for p in Post if p.title != \"t{i}\").fetch_one(db).map(|n| n as usize)"),
        5 => format!(
            "select!(User.filter(|u| u.id >= {i}).order_by(|u| desc(u.id)).limit({i})).fetch_all(db).map(|r| r.len())"
        ),
        6 => format!(
            "select!((u, p) for u in User for p in u.posts.left() if u.hair_color == \"c{i}\").fetch_all(db).map(|r| r.len())"
        ),
        _ => format!("select!(c.text for c in Comment if c.post.user.id == {i}).fetch_all(db).map(|r| r.len())"),
    }
}

fn diesel_query(i: usize) -> String {
    match i % 8 {
        0 => {
            format!("users::table.filter(users::id.gt({i})).select(User::as_select()).load::<User>(c).map(|r| r.len())")
        }
        1 => format!(
            "users::table.filter(users::hair_color.eq(\"c{i}\")).select(users::name).load::<String>(c).map(|r| r.len())"
        ),
        2 => format!(
            "users::table.filter(users::name.like(\"N{i}%\").and(users::id.lt({i}))).select((users::id, users::name)).load::<(i32, String)>(c).map(|r| r.len())"
        ),
        3 => format!(
            "posts::table.inner_join(users::table).filter(users::name.eq(\"u{i}\")).select(Post::as_select()).load::<Post>(c).map(|r| r.len())"
        ),
        4 => format!("posts::table.filter(posts::title.ne(\"t{i}\")).count().get_result::<i64>(c).map(|n| n as usize)"),
        5 => format!(
            "users::table.filter(users::id.ge({i})).order(users::id.desc()).limit({i}).select(User::as_select()).load::<User>(c).map(|r| r.len())"
        ),
        6 => format!(
            "users::table.left_join(posts::table).filter(users::hair_color.eq(\"c{i}\")).select((User::as_select(), Option::<Post>::as_select())).load::<(User, Option<Post>)>(c).map(|r| r.len())"
        ),
        _ => format!(
            "comments::table.inner_join(posts::table.inner_join(users::table)).filter(users::id.eq({i})).select(comments::text).load::<String>(c).map(|r| r.len())"
        ),
    }
}

/// The entities of the benchmarks, as foal-benches itself defines them.
const FOAL_SCHEMA: &str = include_str!("../schema.rs");

const DIESEL_SCHEMA: &str = r#"
use diesel::prelude::*;

diesel::table! { users (id) { id -> Integer, name -> Text, hair_color -> Nullable<Text>, } }
diesel::table! { posts (id) { id -> Integer, user_id -> Integer, title -> Text, body -> Nullable<Text>, } }
diesel::table! { comments (id) { id -> Integer, post_id -> Integer, text -> Text, } }
diesel::joinable!(posts -> users (user_id));
diesel::joinable!(comments -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(users, posts, comments);

#[derive(Queryable, Selectable, Identifiable, Debug)]
#[diesel(table_name = users)]
pub struct User { pub id: i32, pub name: String, pub hair_color: Option<String> }

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(belongs_to(User))]
#[diesel(table_name = posts)]
pub struct Post { pub id: i32, pub user_id: i32, pub title: String, pub body: Option<String> }

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(belongs_to(Post))]
#[diesel(table_name = comments)]
pub struct Comment { pub id: i32, pub post_id: i32, pub text: String }
"#;

#[derive(Clone, Copy, PartialEq)]
enum Library {
    Foal,
    Diesel,
}

/// Writes the crate `<root>/<name>` with `queries` query functions.
fn generate(root: &Path, workspace: &Path, library: Library, queries: usize) -> Result<PathBuf> {
    let name = match library {
        Library::Foal => format!("foal-{queries}"),
        Library::Diesel => format!("diesel-{queries}"),
    };
    let dir = root.join(&name);
    std::fs::create_dir_all(dir.join("src"))?;
    let dependency = match library {
        Library::Foal => format!(
            "foal = {{ path = \"{}\", default-features = false, features = [\"sqlite\"] }}",
            workspace.join("runtime").display()
        ),
        Library::Diesel => "diesel = { version = \"2.2\", default-features = false, features = [\"sqlite\"] }\n\
                            libsqlite3-sys = { version = \"0.30\", features = [\"bundled\"] }"
            .to_owned(),
    };
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [workspace]\n\n[dependencies]\n{dependency}\n"
        ),
    )?;
    let lock = match library {
        Library::Foal => workspace.join("Cargo.lock"),
        Library::Diesel => workspace.join("benches/peers/Cargo.lock"),
    };
    std::fs::copy(lock, dir.join("Cargo.lock"))?;
    let mut source = String::from("#![allow(dead_code, clippy::all)]\n");
    source.push_str(match library {
        Library::Foal => FOAL_SCHEMA,
        Library::Diesel => DIESEL_SCHEMA,
    });
    for i in 0..queries {
        source.push_str(&match library {
            Library::Foal => format!(
                "\npub fn q{i}(db: &Database) -> foal::Result<usize> {{\n    {}\n}}\n",
                foal_query(i)
            ),
            Library::Diesel => format!(
                "\npub fn q{i}(c: &mut SqliteConnection) -> QueryResult<usize> {{\n    {}\n}}\n",
                diesel_query(i)
            ),
        });
    }
    std::fs::write(dir.join("src/lib.rs"), source)?;
    Ok(dir)
}

/// Builds the crate once (dependencies), then `runs` times after touching
/// its source; returns the fastest of those builds.
fn build_time(dir: &Path, target: &Path, runs: usize) -> Result<Duration> {
    let build = || -> Result<Duration> {
        let start = Instant::now();
        // Whole-crate compilation, as after a real edit: incremental reuse
        // would make a comment change nearly free.
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "--lib", "--target-dir"])
            .arg(target)
            .env("CARGO_INCREMENTAL", "0")
            .current_dir(dir)
            .status()?;
        if !status.success() {
            return Err(format!("building {} failed", dir.display()).into());
        }
        Ok(start.elapsed())
    };
    build()?;
    let mut best = Duration::MAX;
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib)?;
    for run in 0..runs {
        // A changed comment: the crate is compiled again, its
        // dependencies are not.
        std::fs::write(&lib, format!("{text}\n// run {run}\n"))?;
        best = best.min(build()?);
    }
    Ok(best)
}

fn main() -> Result<()> {
    let mut queries = 200;
    let mut runs = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--queries" => queries = args.next().ok_or("--queries needs a number")?.parse()?,
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize()?;
    let root = workspace.join("target/compile-bench");
    println!(
        "{:<8} {:>14} {:>14} {:>16}",
        "library", "schema only s", "with queries s", "per query ms"
    );
    for library in [Library::Foal, Library::Diesel] {
        let target = root.join(match library {
            Library::Foal => "target-foal",
            Library::Diesel => "target-diesel",
        });
        let empty = build_time(&generate(&root, &workspace, library, 0)?, &target, runs)?;
        let full = build_time(&generate(&root, &workspace, library, queries)?, &target, runs)?;
        let per_query = full.saturating_sub(empty).as_secs_f64() * 1000.0 / queries as f64;
        println!(
            "{:<8} {:>14.2} {:>14.2} {:>16.2}",
            match library {
                Library::Foal => "foal",
                Library::Diesel => "diesel",
            },
            empty.as_secs_f64(),
            full.as_secs_f64(),
            per_query
        );
    }
    Ok(())
}
