//! The `CREATE TABLE` of an entity, as a dialect-neutral statement.

use crate::dialects::{ColumnDef, CreateTable, ForeignKey};

use super::EntityMeta;

impl EntityMeta {
    /// The `CREATE TABLE` statement of this entity.
    pub fn create_table(&self) -> CreateTable {
        let key: Vec<String> = self.key_columns().map(str::to_owned).collect();
        let foreign_keys = self
            .fields
            .iter()
            .filter_map(|f| {
                let (table, references) = f.references.clone()?;
                Some(ForeignKey {
                    columns: self.columns[f.columns.clone()].iter().map(|c| c.name.clone()).collect(),
                    table: table.to_owned(),
                    references,
                    on_delete: f.on_delete,
                })
            })
            .collect();
        let referencing: Vec<usize> = self
            .fields
            .iter()
            .filter(|f| f.references.is_some())
            .flat_map(|f| f.columns.clone())
            .collect();
        CreateTable {
            table: self.table.to_owned(),
            columns: self
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| ColumnDef {
                    name: c.name.clone(),
                    ty: c.ty,
                    nullable: c.nullable,
                    auto: c.auto,
                    max_len: c.max_len,
                    indexed: c.primary_key || c.unique || referencing.contains(&i),
                })
                .collect(),
            primary_key: key,
            unique: self
                .columns
                .iter()
                .filter(|c| c.unique)
                .map(|c| vec![c.name.clone()])
                .collect(),
            foreign_keys,
            if_not_exists: true,
        }
    }
}
