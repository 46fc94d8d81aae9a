//! The university suite: relations (to-one, to-many, many-to-many through
//! enrollments, an optional self-reference), grouping, subqueries and dates
//! on SQLite, PostgreSQL and MariaDB, each query checked against rows worked
//! out by hand from the fixture (`foal_tests::university::fill`).

use foal::prelude::*;
use foal_tests::university::{self, Course, Department, Enrollment, Exam, Group, Student};

fn each(check: impl Fn(&Database) -> foal::Result<()>) {
    foal_tests::on_each(|db| {
        university::fill(db)?;
        check(db)
    });
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Floats compared to two decimals.
fn cents(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

#[test]
fn filters_and_navigation() {
    each(|db| {
        let q = select!(st.name for st in Student if st.gpa > 3.4);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            s(&["Chuan Qin", "Maria Ionescu", "Matthew Reed", "Zoé Dubois"])
        );
        let q = select!(st.id for st in Student if st.group.department.name == "Department of Computer Science");
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 2, 3, 4, 5]);
        let q = select!(
            Student
                .filter(|st| st.group.number == 101)
                .order_by(|st| st.name)
                .map(|st| st.name)
        );
        assert_eq!(q.fetch_all(db)?, s(&["Chuan Qin", "John Smith", "Matthew Reed"]));
        let q = select!(st.name for st in Student if st.tel.is_none() && st.group.department.name.ends_with("Science"));
        assert_eq!(
            sorted(q.fetch_all(db)?),
            s(&["Chuan Qin", "Maria Ionescu", "Matthew Reed"])
        );
        let q = select!(st.name for st in Student if st.dob.year() == 1990);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            s(&["Matthew Reed", "Oliver Blakey", "Rebecca Lawson"])
        );
        let q = select!(st.name for st in Student if (3.2..=3.6).contains(&st.gpa));
        assert_eq!(
            sorted(q.fetch_all(db)?),
            s(&["Jing Xia", "Matthew Reed", "Rebecca Lawson"])
        );
        let q = select!(st.name for st in Student if st.name.to_lowercase().contains("ia"));
        assert_eq!(sorted(q.fetch_all(db)?), s(&["Jing Xia", "Maria Ionescu"]));
        let q = select!(c.name for c in Course if c.lect_hours + c.lab_hours >= 75);
        assert_eq!(q.fetch_all(db)?, s(&["Statistical Methods"]));
        let q = select!(c.name for c in Course if c.department.name == "Department of Physics" || c.semester == 3);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            s(&["Data Structures and Algorithms", "Quantum Mechanics"])
        );
        Ok(())
    });
}

#[test]
fn an_optional_self_reference() {
    each(|db| {
        let q = select!((st.name, st.mentor.name) for st in Student if st.group.number == 101);
        let expected = vec![
            ("Chuan Qin".to_string(), Some("John Smith".to_string())),
            ("John Smith".to_string(), None),
            ("Matthew Reed".to_string(), Some("John Smith".to_string())),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        // Comparing with a missing mentor's gpa is false.
        let q = select!(st.name for st in Student if st.gpa > st.mentor.gpa);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            s(&["Chuan Qin", "Jing Xia", "Maria Ionescu", "Matthew Reed"])
        );
        let q = select!((st.name, st.mentees.count()) for st in Student if st.mentor.is_none());
        let expected = vec![
            ("John Smith".to_string(), 2),
            ("Oliver Blakey".to_string(), 1),
            ("Rebecca Lawson".to_string(), 1),
            ("Zoé Dubois".to_string(), 0),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        let q = select!(st.name for st in Student if st.mentor.mentor.is_some());
        assert_eq!(q.fetch_all(db)?, Vec::<String>::new());
        Ok(())
    });
}

#[test]
fn many_to_many_through_enrollments() {
    each(|db| {
        let q = select!(st.id for st in Student for e in st.enrollments if e.course.name == "Data Structures and Algorithms");
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 2, 3, 4, 5]);
        let q = select!((st.id, count(e)) for st in Student for e in st.enrollments);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![(1, 3), (2, 2), (3, 3), (4, 2), (5, 1), (6, 2), (7, 2), (8, 3)]
        );
        let q = select!((st.name, sum(e.course.credits)) for st in Student for e in st.enrollments);
        let expected = vec![
            ("Chuan Qin".into(), 12),
            ("Jing Xia".into(), 9),
            ("John Smith".into(), 12),
            ("Maria Ionescu".into(), 5),
            ("Matthew Reed".into(), 9),
            ("Oliver Blakey".into(), 9),
            ("Rebecca Lawson".into(), 8),
            ("Zoé Dubois".to_string(), 15),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        let q =
            select!(e.course.name for e in Enrollment if e.student.name == "Rebecca Lawson" && e.course.semester == 1);
        assert_eq!(q.fetch_all(db)?, s(&["Web Design"]));
        let q = select!((st.name, c.name) for st in Student for e in st.enrollments for c in Course if e.course == c && c.credits >= 5 && e.grade == Some(5));
        let expected = vec![
            ("Chuan Qin".to_string(), "Data Structures and Algorithms".to_string()),
            ("Zoé Dubois".to_string(), "Statistical Methods".to_string()),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        let q = select!(st.name for st in Student if !exists(e for e in st.enrollments if e.grade.unwrap_or(0) < 5));
        assert_eq!(q.fetch_all(db)?, s(&["Chuan Qin"]));
        let q = select!((c.name, count(e)) for c in Course for e in c.enrollments.left());
        let expected = vec![
            ("C Fundamentals".into(), 3),
            ("Data Structures and Algorithms".into(), 5),
            ("Linear Algebra".into(), 3),
            ("Quantum Mechanics".into(), 1),
            ("Statistical Methods".into(), 3),
            ("Web Design".to_string(), 3),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        assert_eq!(
            select!(count(e) for e in Enrollment if e.grade.is_none()).fetch_one(db)?,
            2
        );
        Ok(())
    });
}

#[test]
fn grouping_and_having() {
    each(|db| {
        let q = select!((st.group.number, count(st)) for st in Student);
        assert_eq!(sorted(q.fetch_all(db)?), vec![(101, 3), (102, 2), (201, 2), (202, 1)]);
        let q = select!(g.number for g in Group if g.students.count() > 2);
        assert_eq!(q.fetch_all(db)?, vec![101]);
        let q = select!((st.group.department.name, avg(st.gpa)) for st in Student);
        let rows: Vec<(String, i64)> = q
            .fetch_all(db)?
            .into_iter()
            .map(|(d, a)| (d, cents(a.unwrap_or(0.0))))
            .collect();
        assert_eq!(
            sorted(rows),
            vec![
                ("Department of Computer Science".to_string(), 354),
                ("Department of Mathematics".to_string(), 333)
            ]
        );
        let q = select!(st.group.department.name for st in Student if avg(st.gpa).unwrap_or(0.0) > 3.4);
        assert_eq!(q.fetch_all(db)?, s(&["Department of Computer Science"]));
        let q = select!((st.group.department.name, count(st.gpa > 3.4)) for st in Student);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![
                ("Department of Computer Science".to_string(), 3),
                ("Department of Mathematics".to_string(), 1)
            ]
        );
        let q = select!((c.name, avg(e.grade)) for c in Course for e in c.enrollments);
        let rows: Vec<(String, i64)> = q
            .fetch_all(db)?
            .into_iter()
            .map(|(c, a)| (c, cents(a.unwrap_or(0.0))))
            .collect();
        let expected = vec![
            ("C Fundamentals".into(), 467),
            ("Data Structures and Algorithms".into(), 375),
            ("Linear Algebra".into(), 433),
            ("Quantum Mechanics".into(), 300),
            ("Statistical Methods".into(), 400),
            ("Web Design".to_string(), 367),
        ];
        assert_eq!(sorted(rows), expected);
        let q = select!((d.name, sum(c.lect_hours)) for d in Department for c in d.courses);
        let expected = vec![
            ("Department of Computer Science".into(), 100),
            ("Department of Mathematics".into(), 80),
            ("Department of Physics".to_string(), 60),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        let q = select!((g.number, min(st.dob)) for g in Group for st in g.students);
        let dates: Vec<(i32, String)> = q
            .fetch_all(db)?
            .into_iter()
            .map(|(g, d)| (g, d.map(|d| d.to_string()).unwrap_or_default()))
            .collect();
        assert_eq!(
            sorted(dates),
            vec![
                (101, "1989-02-05".into()),
                (102, "1990-04-18".into()),
                (201, "1988-12-30".into()),
                (202, "1992-07-14".to_string())
            ]
        );
        let q = select!(group_concat(st.name, ", ") for st in Student if st.group.number == 101);
        assert_eq!(q.fetch_one(db)?, "Chuan Qin, John Smith, Matthew Reed");
        assert_eq!(select!(count_distinct(g.major) for g in Group).fetch_one(db)?, 3);
        let q = select!((d.name, d.courses.count()) for d in Department);
        let expected = vec![
            ("Department of Computer Science".into(), 3),
            ("Department of Mathematics".into(), 2),
            ("Department of Physics".to_string(), 1),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        Ok(())
    });
}

#[test]
fn subqueries_and_anti_joins() {
    each(|db| {
        let q = select!(st.name for st in Student if st.gpa == max(x.gpa for x in Student));
        assert_eq!(q.fetch_all(db)?, s(&["Chuan Qin"]));
        let q = select!(d.name for d in Department if d.groups.is_empty());
        assert_eq!(q.fetch_all(db)?, s(&["Department of Physics"]));
        let q = select!(d.name for d in Department for g in d.groups.left() if g.is_none());
        assert_eq!(q.fetch_all(db)?, s(&["Department of Physics"]));
        let q = select!(d.id for d in Department if (e.course.department for e in Enrollment if e.student.name == "Zoé Dubois").contains(&d));
        assert_eq!(sorted(q.fetch_all(db)?), vec![2, 3]);
        let q = select!(st.name for st in Student if st.gpa > avg(x.gpa for x in Student if x.group == st.group));
        assert_eq!(sorted(q.fetch_all(db)?), s(&["Chuan Qin", "Jing Xia", "Maria Ionescu"]));
        let q = select!(c.name for c in Course if count(e for e in c.enrollments if e.grade == Some(5)) >= 2);
        assert_eq!(q.fetch_all(db)?, s(&["C Fundamentals"]));
        Ok(())
    });
}

#[test]
fn ordering_paging_and_projections() {
    each(|db| {
        let q = select!(
            Student
                .order_by(|st| (desc(st.gpa), st.name))
                .page(2, 3)
                .map(|st| st.name)
        );
        assert_eq!(q.fetch_all(db)?, s(&["Matthew Reed", "Rebecca Lawson", "Jing Xia"]));
        let q = select!(format!("{} ({})", st.name, st.group.number) for st in Student if st.id == 1);
        assert_eq!(q.fetch_one(db)?, "John Smith (101)");
        let q = select!((g.number, match g.major.as_str() { "B.S. in Statistics" => "stats".to_string(), _ => "other".to_string() }) for g in Group);
        assert_eq!(
            sorted(q.fetch_all(db)?).last().cloned(),
            Some((202, "stats".to_string()))
        );
        let q = select!((st.name, if st.tel.is_some() { "reachable" } else { "-" }) for st in Student if st.group.number == 102);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![
                ("Maria Ionescu".to_string(), "-".to_string()),
                ("Rebecca Lawson".to_string(), "reachable".to_string())
            ]
        );
        let q = select!(Group.order_by(|g| g.major).map(|g| g.major).distinct());
        assert_eq!(
            q.fetch_all(db)?,
            s(&[
                "B.E. in Computer Engineering",
                "B.S. in Applied Mathematics",
                "B.S. in Statistics"
            ])
        );
        let top = select!(Student.order_by(|st| desc(st.gpa)).limit(4));
        let q = select!(t.name for t in top if t.group.department.name == "Department of Mathematics");
        assert_eq!(q.fetch_all(db)?, s(&["Zoé Dubois"]));
        Ok(())
    });
}

#[test]
fn bulk_changes() {
    each(|db| {
        let raise = select!(Student.filter(|st| st.group.number == 201).update(|st| st.gpa += 0.5));
        assert_eq!(raise.execute(db)?, 2);
        let q = select!(st.gpa for st in Student if st.group.number == 201);
        assert_eq!(
            sorted(q.fetch_all(db)?.into_iter().map(cents).collect()),
            vec![360, 370]
        );
        let ungraded = select!(e for e in Enrollment if e.grade.is_none());
        assert_eq!(ungraded.delete(db)?, 2);
        assert_eq!(select!(count(e) for e in Enrollment).fetch_one(db)?, 16);
        Ok(())
    });
}

#[allow(dead_code)]
fn types_in_use(_: (Course, Department, Enrollment, Group)) {}

#[test]
fn a_reference_to_a_composite_key() {
    each(|db| {
        let q = select!((x.id, x.enrollment.student.name, x.enrollment.course.name) for x in Exam if x.points >= 60);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![
                (2, "John Smith".to_string(), "C Fundamentals".to_string()),
                (4, "Zoé Dubois".to_string(), "Quantum Mechanics".to_string())
            ]
        );
        let q = select!((e.student.key(), e.course.key(), e.exams.count()) for e in Enrollment if !e.exams.is_empty());
        assert_eq!(sorted(q.fetch_all(db)?), vec![(1, 1, 2), (4, 3, 1), (8, 6, 1)]);
        // Comparing a composite reference with a variable compares both columns.
        let q = select!(x.id for x in Exam for e in Enrollment if x.enrollment == e && e.grade == Some(3));
        assert_eq!(q.fetch_all(db)?, vec![4]);
        let q = select!((st.name, max(x.points)) for st in Student for e in st.enrollments for x in e.exams);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![
                ("John Smith".to_string(), Some(72)),
                ("Rebecca Lawson".to_string(), Some(35)),
                ("Zoé Dubois".to_string(), Some(61))
            ]
        );
        let second = db.get::<Exam>(2)?.map(|x| x.enrollment.key());
        assert_eq!(second, Some((Ref::new(1), Ref::new(1))));
        Ok(())
    });
}
