-- The NOTE_NLP table of the OMOP Common Data Model v5.4, PostgreSQL DDL,
-- exactly as published by OHDSI: repository OHDSI/CommonDataModel, file
-- inst/ddl/5.4/postgresql/OMOPCDM_postgresql_5.4_ddl.sql (commit
-- 2ccb8939d8e65403be3917d05b1a892c14d339a8), only the NOTE_NLP statement.
-- The template schema "@cdmDatabaseSchema" is replaced by the test's schema
-- "cdm" (sed in tests/text/note_nlp_postgres.sh), as OHDSI's own tooling does.
--HINT DISTRIBUTE ON RANDOM
CREATE TABLE @cdmDatabaseSchema.note_nlp (
			note_nlp_id integer NOT NULL,
			note_id integer NOT NULL,
			section_concept_id integer NULL,
			snippet varchar(250) NULL,
			"offset" varchar(50) NULL,
			lexical_variant varchar(250) NOT NULL,
			note_nlp_concept_id integer NULL,
			note_nlp_source_concept_id integer NULL,
			nlp_system varchar(250) NULL,
			nlp_date date NOT NULL,
			nlp_datetime TIMESTAMP NULL,
			term_exists varchar(1) NULL,
			term_temporal varchar(50) NULL,
			term_modifiers varchar(2000) NULL );
