//! The exchanges of the extended and simple protocols on a [`Wire`]:
//! simple queries, COPY, and the statement run with its rows.

use super::*;

/// Where `execute` is in its reply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Waiting for ParseComplete (the statement is planned again).
    Parse,
    /// Waiting for BindComplete.
    Bind,
    /// Waiting for the portal's RowDescription or NoData.
    Describe,
    /// DataRows until CommandComplete, PortalSuspended or EmptyQueryResponse.
    Rows,
    /// Waiting for ReadyForQuery.
    Done,
    /// An ErrorResponse came; waiting for ReadyForQuery.
    Failed,
}

/// Where `simple_query` is in its reply (of one or more statements).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Simple {
    /// Before the first statement's reply (which always comes, if only
    /// as EmptyQueryResponse).
    Start,
    /// Between statements.
    Idle,
    /// DataRows after a RowDescription, until CommandComplete.
    Rows,
    /// CopyData of a `COPY … TO STDOUT` until CopyDone.
    CopyOut,
    /// CopyFail was sent for a `COPY … FROM STDIN`; its error comes next.
    CopyIn,
    /// An ErrorResponse came; waiting for ReadyForQuery.
    Failed,
}

impl Wire {
    /// Runs SQL without parameters (several statements allowed), dropping
    /// the rows it returns. COPY is refused: `FROM STDIN` is answered with
    /// CopyFail, the data of `TO STDOUT` is read and dropped, and either
    /// is an error once the reply is over.
    pub(crate) fn simple_query(&mut self, sql: &str) -> WireResult<()> {
        self.simple(sql, None)
    }

    /// Runs a query without parameters; returns the first value of its
    /// first row, as text (`None` for no row or NULL).
    pub(crate) fn query_value(&mut self, sql: &str) -> WireResult<Option<String>> {
        let mut value = None;
        self.simple(sql, Some(&mut value))?;
        Ok(value)
    }

    fn simple(&mut self, sql: &str, mut first: Option<&mut Option<String>>) -> WireResult<()> {
        const DURING: &str = "in the reply to a simple query";
        self.start("running a simple query")?;
        self.frame(|w| frontend::query(sql, w))?;
        self.flush()?;
        let mut state = Simple::Start;
        let mut refused: Option<&'static str> = None;
        let mut error = None;
        loop {
            state = match (state, self.next()?) {
                (Simple::Start | Simple::Idle, Message::RowDescription(_)) => Simple::Rows,
                (Simple::Rows, Message::DataRow(body)) => {
                    if let Some(slot) = first.take() {
                        let mut ranges = body.ranges();
                        if let Ok(Some(Some(range))) = ranges.next() {
                            let bytes = body.buffer().get(range).unwrap_or_default();
                            *slot = Some(String::from_utf8_lossy(bytes).into_owned());
                        }
                    }
                    Simple::Rows
                }
                (Simple::Start | Simple::Idle | Simple::Rows, Message::CommandComplete(_)) => Simple::Idle,
                (Simple::Start | Simple::Idle, Message::EmptyQueryResponse) => Simple::Idle,
                (Simple::Start | Simple::Idle, Message::CopyInResponse(_)) => {
                    frontend::copy_fail("foal does not run COPY", &mut self.write)?;
                    self.flush()?;
                    refused.get_or_insert(
                        "`COPY … FROM STDIN` through execute_sql: foal sends no COPY data (insert_all writes rows)",
                    );
                    Simple::CopyIn
                }
                (Simple::Start | Simple::Idle, Message::CopyOutResponse(_)) => {
                    refused.get_or_insert("`COPY … TO STDOUT` through execute_sql: foal reads no COPY data (the rows were read and dropped; select! reads them)");
                    Simple::CopyOut
                }
                (Simple::CopyOut, Message::CopyData(_)) => Simple::CopyOut,
                (Simple::CopyOut, Message::CopyDone) => Simple::Idle,
                (_, Message::ErrorResponse(body)) => {
                    error.get_or_insert_with(|| DbError::parse(&body));
                    Simple::Failed
                }
                (Simple::Idle | Simple::Failed, Message::ReadyForQuery(body)) => {
                    self.ready(body.status())?;
                    return match (refused, error) {
                        (Some(what), _) => Err(WireError::Unsupported(what.into())),
                        (None, Some(e)) => Err(WireError::Db(e)),
                        (None, None) => Ok(()),
                    };
                }
                (state, m) if reply::asynchronous(&m) => state,
                (_, m) => return Err(reply::unexpected(&m, DURING)),
            };
        }
    }

    /// Runs `COPY … FROM STDIN` (`sql`) and sends the data `fill` writes,
    /// one CopyData message per call, until it returns `Ok(false)`; an
    /// `Err` from `fill` aborts the COPY (CopyFail) and is returned. Returns
    /// the number of rows the server reports.
    pub(crate) fn copy_in(
        &mut self,
        sql: &str,
        fill: &mut dyn FnMut(&mut BytesMut) -> Result<bool, String>,
    ) -> WireResult<u64> {
        const DURING: &str = "in the reply to COPY";
        self.start("copying rows in")?;
        self.frame(|w| frontend::query(sql, w))?;
        self.flush()?;
        loop {
            match self.next()? {
                Message::CopyInResponse(_) => break,
                Message::ErrorResponse(body) => return self.recover(DbError::parse(&body), DURING),
                m if reply::asynchronous(&m) => {}
                m => return Err(reply::unexpected(&m, DURING)),
            }
        }
        // The server reads CopyData without answering (a failing row is
        // reported after CopyDone), so the data goes out without waiting.
        let mut refused = None;
        loop {
            let start = self.write.len();
            self.write.extend_from_slice(&[b'd', 0, 0, 0, 0]);
            let more = fill(&mut self.write);
            let length = self.write.len() - start - 1;
            match (more, i32::try_from(length)) {
                (Ok(more), Ok(n)) => {
                    if length == 4 {
                        self.write.truncate(start);
                    } else {
                        self.write[start + 1..start + 5].copy_from_slice(&n.to_be_bytes());
                    }
                    if !more {
                        frontend::copy_done(&mut self.write);
                        break;
                    }
                    self.flush()?;
                }
                (Err(reason), _) => {
                    self.write.truncate(start);
                    self.frame(|w| frontend::copy_fail(&reason, w))?;
                    refused = Some(reason);
                    break;
                }
                (Ok(_), Err(_)) => {
                    self.write.truncate(start);
                    let reason = "a CopyData message over 2 GiB".to_owned();
                    self.frame(|w| frontend::copy_fail(&reason, w))?;
                    refused = Some(reason);
                    break;
                }
            }
        }
        self.flush()?;
        let mut rows = 0;
        let mut error = None;
        loop {
            match self.next()? {
                Message::CommandComplete(body) => rows = reply::check_count(&body, 0, false)?,
                Message::ErrorResponse(body) => {
                    error.get_or_insert_with(|| DbError::parse(&body));
                }
                Message::ReadyForQuery(body) => {
                    self.ready(body.status())?;
                    break;
                }
                m if reply::asynchronous(&m) => {}
                m => return Err(reply::unexpected(&m, DURING)),
            }
        }
        match (refused, error) {
            (Some(reason), _) => Err(WireError::Encode(reason)),
            (None, Some(e)) => Err(WireError::Db(e)),
            (None, None) => Ok(rows),
        }
    }

    /// Runs a statement with `params` (encoded as the types the server
    /// reported for it), handing each row to `row` (up to `max` rows);
    /// returns the number of rows the statement affected or returned.
    /// `run` says how: see [`Run`].
    pub(crate) fn execute<P: Encode>(
        &mut self,
        statement: &Prepared,
        params: &[P],
        max: Option<usize>,
        run: Run<'_>,
        row: &mut dyn FnMut(&RowView<'_>),
    ) -> WireResult<u64> {
        const DURING: &str = "in the reply to a statement";
        self.start("running a statement")?;
        if params.len() != statement.params.len() {
            return Err(WireError::Encode(format!(
                "the statement takes {} parameters, {} were given",
                statement.params.len(),
                params.len()
            )));
        }
        let start = self.write.len();
        let (parse, describe) = match run {
            Run::Named => (None, false),
            Run::Replan(sql) => (Some(sql), false),
            Run::Unnamed(sql) => (Some(sql), true),
        };
        if let Some(sql) = parse {
            let oids = statement.params.iter().map(Type::oid);
            if let Err(e) = frontend::parse("", sql, oids, &mut self.write) {
                self.write.truncate(start);
                return Err(WireError::Encode(e.to_string()));
            }
        }
        let source = if parse.is_some() { "" } else { statement.name.as_str() };
        let bound = frontend::bind(
            "",
            source,
            std::iter::once(BINARY),
            params.iter().zip(&statement.params),
            |(value, ty), buf| {
                value.encode(ty, buf).map(|null| match null {
                    IsNull::Yes => postgres_protocol::IsNull::Yes,
                    IsNull::No => postgres_protocol::IsNull::No,
                })
            },
            std::iter::once(BINARY),
            &mut self.write,
        );
        if let Err(e) = bound {
            self.write.truncate(start);
            return Err(WireError::Encode(match e {
                frontend::BindError::Conversion(e) => e.to_string(),
                frontend::BindError::Serialization(e) => e.to_string(),
            }));
        }
        let limit = max.and_then(|m| i32::try_from(m).ok()).unwrap_or(0);
        self.frame(|w| {
            if describe {
                frontend::describe(b'P', "", w)?;
            }
            frontend::execute("", limit, w)?;
            frontend::sync(w);
            Ok(())
        })?;
        self.flush()?;
        // An unnamed statement's rows are laid out as this exchange's
        // RowDescription says.
        let mut described = std::mem::take(&mut self.columns);
        described.clear();
        let mut step = if parse.is_some() { Step::Parse } else { Step::Bind };
        let mut rows = 0u64;
        let mut affected = None;
        let mut failure = None;
        loop {
            // Rows are read in place, without splitting the buffer into a
            // reference-counted message each.
            let length = self.buffered()?;
            if self.read[0] == b'D' && step == Step::Rows {
                let columns = if describe { &described } else { &statement.columns };
                let body = &self.read[5..length];
                reply::parse_ranges(body, columns.len(), &mut self.ranges)?;
                row(&RowView {
                    columns,
                    buf: body,
                    ranges: &self.ranges,
                });
                self.read.advance(length);
                rows += 1;
                continue;
            }
            step = match (step, self.next()?) {
                (Step::Parse, Message::ParseComplete) => Step::Bind,
                (Step::Bind, Message::BindComplete) if describe => Step::Describe,
                (Step::Bind, Message::BindComplete) => Step::Rows,
                (Step::Describe, Message::RowDescription(body)) => {
                    let mut fields = body.fields();
                    while let Some(field) = fields.next().map_err(|e| reply::malformed(b'T', &e))? {
                        described.push(Column {
                            name: field.name().to_owned(),
                            ty: Type::from_oid(field.type_oid()).unwrap_or(Type::UNKNOWN),
                        });
                    }
                    Step::Rows
                }
                (Step::Describe, Message::NoData) => Step::Rows,
                (Step::Rows, Message::CommandComplete(body)) => {
                    let columns = if describe { &described } else { &statement.columns };
                    let returns_rows = rows > 0 || !columns.is_empty();
                    affected = Some(reply::check_count(&body, rows, returns_rows)?);
                    Step::Done
                }
                (Step::Rows, Message::PortalSuspended) if limit > 0 => Step::Done,
                (Step::Rows, Message::EmptyQueryResponse) => Step::Done,
                (_, Message::ErrorResponse(body)) => {
                    failure.get_or_insert_with(|| DbError::parse(&body));
                    Step::Failed
                }
                (Step::Done | Step::Failed, Message::ReadyForQuery(body)) => {
                    self.ready(body.status())?;
                    self.columns = described;
                    return match failure {
                        Some(e) => Err(WireError::Db(e)),
                        None => Ok(affected.unwrap_or(rows)),
                    };
                }
                (step, m) if reply::asynchronous(&m) => step,
                (_, m) => return Err(reply::unexpected(&m, DURING)),
            };
        }
    }
}
