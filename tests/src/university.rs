//! The university domain: departments, groups, students, courses, and the
//! enrollments linking students and courses (many-to-many).

use chrono::NaiveDate;
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(groups: Group = department))]
#[foal(has_many(courses: Course = department))]
pub struct Department {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

/// A study group; its table is named `group`, a reserved word everywhere.
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(students: Student = group))]
pub struct Group {
    #[foal(primary_key)]
    pub number: i32,
    pub major: String,
    pub department: Ref<Department>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(enrollments: Enrollment = student))]
#[foal(has_many(mentees: Student = mentor))]
pub struct Student {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub dob: NaiveDate,
    pub tel: Option<String>,
    pub gpa: f64,
    pub group: Ref<Group>,
    pub mentor: Option<Ref<Student>>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(enrollments: Enrollment = course))]
pub struct Course {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub semester: i32,
    pub lect_hours: i32,
    pub lab_hours: i32,
    pub credits: i32,
    pub department: Ref<Department>,
}

/// The link between students and courses, keyed by both.
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(exams: Exam = enrollment))]
pub struct Enrollment {
    #[foal(primary_key)]
    pub student: Ref<Student>,
    #[foal(primary_key)]
    pub course: Ref<Course>,
    pub grade: Option<i32>,
}

/// An attempt at a course's exam: a reference to a composite key, stored as
/// two columns (`enrollment_student`, `enrollment_course`).
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Exam {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub enrollment: Ref<Enrollment>,
    pub points: i32,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Creates and fills the tables:
///
/// - departments: 1 Computer Science, 2 Mathematics, 3 Physics (no group);
/// - groups: 101 and 102 (B.E. in Computer Engineering, dept 1), 201 (B.S.
///   in Applied Mathematics, dept 2), 202 (B.S. in Statistics, dept 2);
/// - courses (semester, lecture/lab hours, credits, dept): 1 C Fundamentals
///   (1, 30/30, 4, 1), 2 Web Design (1, 30/30, 3, 1), 3 Data Structures and
///   Algorithms (3, 40/20, 5, 1), 4 Linear Algebra (1, 30/30, 4, 2),
///   5 Statistical Methods (2, 50/25, 5, 2), 6 Quantum Mechanics (4, 60/0, 6, 3);
/// - students (born, tel, gpa, group, mentor): 1 John Smith (1991-03-20,
///   123-45-67, 3.0, 101), 2 Matthew Reed (1990-11-26, —, 3.5, 101, mentor 1),
///   3 Chuan Qin (1989-02-05, —, 4.0, 101, mentor 1), 4 Rebecca Lawson
///   (1990-04-18, 234-56-78, 3.3, 102), 5 Maria Ionescu (1991-04-23, —, 3.9,
///   102, mentor 4), 6 Oliver Blakey (1990-09-08, —, 3.1, 201), 7 Jing Xia
///   (1988-12-30, —, 3.2, 201, mentor 6), 8 Zoé Dubois (1992-07-14,
///   345-67-89, 3.7, 202);
/// - enrollments (student, course, grade): (1,1,4) (1,2,3) (1,3,—) (2,1,5)
///   (2,3,4) (3,1,5) (3,2,5) (3,3,5) (4,2,3) (4,3,2) (5,3,4) (6,4,4) (6,5,3)
///   (7,4,5) (7,5,—) (8,5,5) (8,4,4) (8,6,3);
/// - exams (id, enrollment, points): 1 (1,1) 40, 2 (1,1) 72, 3 (4,3) 35,
///   4 (8,6) 61.
pub fn fill(db: &Database) -> foal::Result<()> {
    db.create_table::<Department>()?;
    db.create_table::<Group>()?;
    db.create_table::<Student>()?;
    db.create_table::<Course>()?;
    db.create_table::<Enrollment>()?;
    db.create_table::<Exam>()?;
    let department = |name: &str| Department {
        id: 0,
        name: format!("Department of {name}"),
    };
    db.insert_all(vec![
        department("Computer Science"),
        department("Mathematics"),
        department("Physics"),
    ])?;
    let group = |number: i32, major: &str, department: i64| Group {
        number,
        major: major.into(),
        department: Ref::new(department),
    };
    db.insert_all(vec![
        group(101, "B.E. in Computer Engineering", 1),
        group(102, "B.E. in Computer Engineering", 1),
        group(201, "B.S. in Applied Mathematics", 2),
        group(202, "B.S. in Statistics", 2),
    ])?;
    let course = |name: &str, semester: i32, lect_hours: i32, lab_hours: i32, credits: i32, department: i64| Course {
        id: 0,
        name: name.into(),
        semester,
        lect_hours,
        lab_hours,
        credits,
        department: Ref::new(department),
    };
    db.insert_all(vec![
        course("C Fundamentals", 1, 30, 30, 4, 1),
        course("Web Design", 1, 30, 30, 3, 1),
        course("Data Structures and Algorithms", 3, 40, 20, 5, 1),
        course("Linear Algebra", 1, 30, 30, 4, 2),
        course("Statistical Methods", 2, 50, 25, 5, 2),
        course("Quantum Mechanics", 4, 60, 0, 6, 3),
    ])?;
    let student = |name: &str, dob: NaiveDate, tel: Option<&str>, gpa: f64, group: i32, mentor: Option<i64>| Student {
        id: 0,
        name: name.into(),
        dob,
        tel: tel.map(str::to_owned),
        gpa,
        group: Ref::new(group),
        mentor: mentor.map(Ref::new),
    };
    // Mentors first: a mentee references an earlier student.
    for s in [
        student("John Smith", date(1991, 3, 20), Some("123-45-67"), 3.0, 101, None),
        student("Matthew Reed", date(1990, 11, 26), None, 3.5, 101, Some(1)),
        student("Chuan Qin", date(1989, 2, 5), None, 4.0, 101, Some(1)),
        student("Rebecca Lawson", date(1990, 4, 18), Some("234-56-78"), 3.3, 102, None),
        student("Maria Ionescu", date(1991, 4, 23), None, 3.9, 102, Some(4)),
        student("Oliver Blakey", date(1990, 9, 8), None, 3.1, 201, None),
        student("Jing Xia", date(1988, 12, 30), None, 3.2, 201, Some(6)),
        student("Zoé Dubois", date(1992, 7, 14), Some("345-67-89"), 3.7, 202, None),
    ] {
        db.insert(s)?;
    }
    let enrollment = |student: i64, course: i64, grade: Option<i32>| Enrollment {
        student: Ref::new(student),
        course: Ref::new(course),
        grade,
    };
    db.insert_all(vec![
        enrollment(1, 1, Some(4)),
        enrollment(1, 2, Some(3)),
        enrollment(1, 3, None),
        enrollment(2, 1, Some(5)),
        enrollment(2, 3, Some(4)),
        enrollment(3, 1, Some(5)),
        enrollment(3, 2, Some(5)),
        enrollment(3, 3, Some(5)),
        enrollment(4, 2, Some(3)),
        enrollment(4, 3, Some(2)),
        enrollment(5, 3, Some(4)),
        enrollment(6, 4, Some(4)),
        enrollment(6, 5, Some(3)),
        enrollment(7, 4, Some(5)),
        enrollment(7, 5, None),
        enrollment(8, 5, Some(5)),
        enrollment(8, 4, Some(4)),
        enrollment(8, 6, Some(3)),
    ])?;
    let exam = |student: i64, course: i64, points: i32| Exam {
        id: 0,
        enrollment: Ref::new((Ref::new(student), Ref::new(course))),
        points,
    };
    db.insert_all(vec![exam(1, 1, 40), exam(1, 1, 72), exam(4, 3, 35), exam(8, 6, 61)])?;
    Ok(())
}
