//! The four workloads of Diesel's benchmark suite, written with foal, each
//! timed against the hand-written code of `baseline.rs`:
//!
//! - trivial query: load every user (N = 1, 100, 10 000);
//! - medium complex query: users LEFT JOIN posts where the hair colour is
//!   black (N = 1, 100, 1 000 users, half of them black-haired, no posts);
//! - insert: N users in one statement (N = 1, 10, 100), with their keys;
//! - loading associations: 9 users, 10 posts each, 10 comments per post,
//!   loaded with three queries and grouped in memory.

use foal::prelude::*;

use crate::baseline::{self, Backend, Hand};
use crate::schema::{Post, User};
use crate::{Result, Runner};

/// Both sides' connections to one backend. On a server they share the
/// database; SQLite's in-memory databases are private, so each side gets
/// the same data.
pub struct Env {
    backend: Backend,
    db: Database,
    hand: Hand,
}

impl Env {
    /// Connects both sides and creates the tables afresh.
    pub fn open(backend: Backend) -> Result<Env> {
        let db = Database::open(&backend.url()?)?;
        let hand = Hand::connect(backend)?;
        let mut env = Env { backend, db, hand };
        for sql in baseline::DROP_SQL.iter().chain(baseline::create_sql(backend)) {
            env.run_both(sql)?;
        }
        Ok(env)
    }

    /// foal's database handle.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Runs SQL on each side's database (once when they share one).
    fn run_both(&mut self, sql: &str) -> Result<()> {
        self.hand.execute(sql)?;
        if self.backend == Backend::Sqlite {
            self.db.execute_sql(sql)?;
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        for sql in baseline::clear_sql(self.backend) {
            self.run_both(sql)?;
        }
        Ok(())
    }

    fn seed(&mut self, statements: Vec<String>) -> Result<()> {
        statements.iter().try_for_each(|sql| self.run_both(sql))
    }
}

/// Every workload at every size.
pub fn run_all(backend: Backend, runner: &mut dyn Runner) -> Result<()> {
    let mut env = Env::open(backend)?;
    for n in baseline::TRIVIAL_SIZES {
        trivial(&mut env, n, runner)?;
    }
    for n in baseline::MEDIUM_SIZES {
        medium(&mut env, n, runner)?;
    }
    for n in baseline::INSERT_SIZES {
        insert(&mut env, n, runner)?;
    }
    associations(&mut env, runner)?;
    for n in baseline::LOAD_SIZES {
        load(&mut env, n, runner)?;
    }
    Ok(())
}

/// `n` users with their own keys through `db.load`, against each driver's
/// fastest hand-written path (`Hand::load`).
pub fn load(env: &mut Env, n: usize, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    let db = env.db.clone();
    let backend = env.backend;
    // Both sides draw their keys from one counter, so neither collides.
    let next = std::cell::Cell::new(1);
    let mut foal = || -> Result<usize> {
        let first = next.get();
        next.set(first + n as i32);
        let rows = (0..n as i32).map(|i| User {
            id: first + i,
            name: format!("User {i}"),
            hair_color: Some("hair_color".to_owned()),
        });
        Ok(db.load(rows)? as usize)
    };
    let clear_db = env.db.clone();
    env.hand.load(n, &next, &mut |hand, hand_reset| {
        let mut reset = || -> Result<usize> {
            if backend == Backend::Sqlite {
                hand_reset()?;
            }
            for sql in baseline::clear_sql(backend) {
                clear_db.execute_sql(sql)?;
            }
            Ok(0)
        };
        runner.pair("bulk load", n, &mut foal, hand, &mut reset)
    })
}

fn no_reset() -> Result<usize> {
    Ok(0)
}

/// Load every user.
pub fn trivial(env: &mut Env, n: usize, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    env.seed(baseline::seed_users_sql(n, |_| None))?;
    let db = env.db.clone();
    let mut foal = || -> Result<usize> { Ok(select!(u for u in User).fetch_all(&db)?.len()) };
    env.hand
        .trivial(&mut |hand| runner.pair("trivial query", n, &mut foal, hand, &mut no_reset))
}

/// Users with black hair, each with their posts (left join).
pub fn medium(env: &mut Env, n: usize, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    env.seed(baseline::seed_users_sql(n, baseline::alternating_hair))?;
    let db = env.db.clone();
    let mut foal = || -> Result<usize> {
        let q = select!((u, p) for u in User for p in u.posts.left() if u.hair_color == "black");
        let rows: Vec<(User, Option<Post>)> = q.fetch_all(&db)?;
        Ok(rows.len())
    };
    env.hand
        .medium(&mut |hand| runner.pair("medium complex query", n, &mut foal, hand, &mut no_reset))
}

/// `n` users in one statement, getting their generated keys back.
pub fn insert(env: &mut Env, n: usize, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    let db = env.db.clone();
    let backend = env.backend;
    let mut foal = || -> Result<usize> {
        let rows: Vec<User> = (0..n)
            .map(|i| User {
                id: 0,
                name: format!("User {i}"),
                hair_color: Some("hair_color".to_owned()),
            })
            .collect();
        // Keys back, as the hand-written side reads them; `insert_all`
        // would also return the rows (on MySQL, at a copy of their text).
        Ok(db.insert_keys(rows)?.len())
    };
    let clear_db = env.db.clone();
    env.hand.insert(n, &mut |hand, hand_reset| {
        let mut reset = || -> Result<usize> {
            if backend == Backend::Sqlite {
                hand_reset()?;
            }
            for sql in baseline::clear_sql(backend) {
                clear_db.execute_sql(sql)?;
            }
            Ok(0)
        };
        runner.pair("insert", n, &mut foal, hand, &mut reset)
    })
}

/// Users, their posts and the posts' comments: three queries, then the
/// rows grouped in memory.
pub fn associations(env: &mut Env, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    env.seed(baseline::seed_users_sql(
        baseline::ASSOCIATION_USERS,
        baseline::alternating_hair,
    ))?;
    env.seed(baseline::seed_associations_sql())?;
    let db = env.db.clone();
    let mut foal = || -> Result<usize> {
        let loaded = select!(User.prefetch(|u| u.posts.comments)).fetch_all(&db)?;
        Ok(loaded.len())
    };
    env.hand.associations(&mut |hand| {
        runner.pair(
            "loading associations",
            baseline::ASSOCIATION_USERS,
            &mut foal,
            hand,
            &mut no_reset,
        )
    })
}
