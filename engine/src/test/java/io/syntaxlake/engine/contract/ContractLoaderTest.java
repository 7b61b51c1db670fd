package io.syntaxlake.engine.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class ContractLoaderTest {
    private static final DatasetContract AST = ContractLoader.load("ast_files_v1");

    @Test
    void astContractHasTheDocumentedShape() {
        assertEquals(List.of("repo", "path", "file_id", "file_sha256", "nodes", "edges", "errors", "docstrings",
                "imports", "defs", "calls", "type_ignores", "attrs", "source_revision"),
                AST.schema().getFields().stream().map(Field::getName).toList());
        assertFalse(AST.field("path").isNullable());
        assertFalse(AST.field("file_id").isNullable());
        assertTrue(AST.field("repo").isNullable());

        Field node = AST.field("nodes").getChildren().get(0);
        assertEquals("item", node.getName());
        Field span = node.getChildren().stream().filter(f -> f.getName().equals("span")).findFirst().orElseThrow();
        assertEquals(Map.of("line_base", "0", "col_unit", "byte", "end_exclusive", "true", "semantic_type", "Span"),
                span.getMetadata());
        assertEquals(List.of("start", "end", "end_exclusive", "col_unit", "byte_span"),
                span.getChildren().stream().map(Field::getName).toList());

        Field attrs = AST.field("attrs");
        assertEquals(new ArrowType.Map(false), attrs.getType());
        Field entries = attrs.getChildren().get(0);
        assertEquals("entries", entries.getName());
        assertFalse(entries.isNullable());
        assertFalse(entries.getChildren().get(0).isNullable(), "map keys are non-null");
        assertTrue(entries.getChildren().get(1).isNullable());

        Map<String, String> meta = AST.schema().getCustomMetadata();
        assertEquals("ast_files_v1", meta.get("schema_name"));
        assertEquals("[\"file_id\",\"path\"]", meta.get("required_non_null"));
        assertEquals("0", meta.get("ast_span_line_base"));
        assertEquals(List.of("repo"), AST.table().layout().partitionBy());
        assertEquals(List.of("repo", "path"), AST.table().layout().orderBy());
        assertEquals(List.of("repo", "path"), AST.table().layouts().get("repo_path").partitionBy());
    }

    @Test
    void fileSchemaDropsPartitionColumns() {
        List<String> names = AST.fileSchema(AST.table().layout()).getFields().stream().map(Field::getName).toList();
        assertFalse(names.contains("repo"));
        assertEquals("path", names.get(0));
    }

    @Test
    void identityHashIsPinned() {
        // Changing the contract or the canonical form changes this on purpose: update it knowingly.
        assertEquals("ec664be8074a9b2a082e8790001ac6acbb6125cf747fa8e833ddf7be0cab1a66", AST.identityHash());
        assertEquals(AST.identityHash(), ContractLoader.load("ast_files_v1").identityHash());
        assertEquals("9a517af64badb7e12339f77f683b0f5dcef47f0d7431352ebcc9d84c4b0f1e8b", ContractLoader.load("libcst_files_v1").identityHash());
    }

    @Test
    void withoutItsAddedColumnsAContractHasTheIdentityTablesWrittenBeforeThemRecorded() {
        // the identities every table written before source_revision existed recorded: they must stay readable
        Map<String, String> before = Map.of(
                "ast_files_v1", "f6cb7e06442a6bd09393c385b0d63774b5cfe71852e136e5e3514b702941836c",
                "libcst_files_v1", "360e33e89a71f5426f1cfaef682c9443e60ad109dcfd12c7652740ac676249d3");
        for (var entry : before.entrySet()) {
            DatasetContract contract = ContractLoader.load(entry.getKey());
            assertEquals(List.of("source_revision"), contract.table().addedColumns());
            DatasetContract older = contract.withoutAddedColumns();
            assertEquals(entry.getValue(), older.identityHash(), entry.getKey());
            assertFalse(older.schema().getFields().stream().anyMatch(f -> f.getName().equals("source_revision")));
            assertEquals(contract.schema().getFields().size() - 1, older.schema().getFields().size());
            assertTrue(older.table().addedColumns().isEmpty());
        }
    }

    @Test
    void manifestContractsAreFlatKeyedTablesWithUtcMicrosecondTimestamps() {
        Map<String, String> pinned = Map.of(
                "manifest_runs_v1", "640f6761f2ed71f67d6617bb64974fb46ddf896ade04dbb9e02e3b59fd1f7e8c",
                "manifest_tasks_v1", "fa1c33dedfab7af6dede933351ff962fe38aeae7d4652349b86713526d8ce593",
                "manifest_artifacts_v1", "c028290a721a7a58d4efb914bef91abbe5a46b57053db12d850fab8158c61abe");
        for (var entry : pinned.entrySet()) {
            DatasetContract contract = ContractLoader.load(entry.getKey());
            assertEquals(entry.getKey(), contract.schema().getCustomMetadata().get("schema_name"));
            assertEquals(entry.getValue(), contract.identityHash(), entry.getKey());
            assertEquals(List.of(), contract.table().layout().partitionBy());
            assertTrue(contract.views().lists().isEmpty());
            assertEquals(null, contract.views().recordColumn(), "a flat dataset has no record column");
            for (Field field : contract.schema().getFields()) {
                assertTrue(field.getChildren().isEmpty(), field.getName());
            }
            for (String key : contract.views().identity()) {
                assertFalse(contract.field(key).isNullable(), key);
            }
        }
        DatasetContract runs = ContractLoader.load("manifest_runs_v1");
        assertEquals(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC"),
                runs.field("started_at").getType());
        assertTrue(runs.field("ended_at").isNullable());
        assertFalse(runs.field("started_at").isNullable());
        assertEquals("[\"run_id\"]", runs.schema().getCustomMetadata().get("key_fields"));
    }

    @Test
    void canonicalTextAndHashFollowTheDocumentedForm() {
        Schema schema = new Schema(List.of(
                new Field("a", new FieldType(false, new ArrowType.Int(32, true), null, Map.of("k", "v")), null),
                new Field("l", FieldType.nullable(ArrowType.List.INSTANCE),
                        List.of(Field.nullable("item", ArrowType.Utf8.INSTANCE)))), Map.of("schema_name", "t_v1"));
        assertEquals("schema{\"a\":int32:notnull:meta{\"k\"=\"v\"},\"l\":list:null:meta{}{\"item\":utf8:null:meta{}}}"
                + "meta{\"schema_name\"=\"t_v1\"}", SchemaIdentity.canonicalText(schema));
        // The same text hashed by Python's hashlib.sha256: an independent check of the digest step.
        assertEquals("c0f42f75c464774dd0c1347728f186c3257b6e9d3dca0edeee34cef1633a6ad5", SchemaIdentity.hash(schema));
    }

    @Test
    void identityHashSeesEveryKindOfChange() {
        Schema base = AST.schema();
        String hash = SchemaIdentity.hash(base);

        Map<String, String> otherMeta = new HashMap<>(base.getCustomMetadata());
        otherMeta.put("schema_version", "2");
        assertNotEquals(hash, SchemaIdentity.hash(new Schema(base.getFields(), otherMeta)), "schema metadata");

        List<Field> fields = new ArrayList<>(base.getFields());
        Field path = fields.get(1);
        fields.set(1, new Field(path.getName(), FieldType.nullable(path.getType()), null));
        assertNotEquals(hash, SchemaIdentity.hash(new Schema(fields, base.getCustomMetadata())), "nullability");

        fields = new ArrayList<>(base.getFields());
        fields.set(1, new Field("path2", path.getFieldType(), null));
        assertNotEquals(hash, SchemaIdentity.hash(new Schema(fields, base.getCustomMetadata())), "name");

        fields = new ArrayList<>(base.getFields());
        fields.set(1, new Field(path.getName(), FieldType.notNullable(ArrowType.LargeUtf8.INSTANCE), null));
        assertNotEquals(hash, SchemaIdentity.hash(new Schema(fields, base.getCustomMetadata())), "type");

        fields = new ArrayList<>(base.getFields());
        Field nodes = fields.get(4);
        Field item = nodes.getChildren().get(0);
        List<Field> itemChildren = new ArrayList<>(item.getChildren());
        Field span = itemChildren.get(5);
        itemChildren.set(5, new Field(span.getName(), new FieldType(true, span.getType(), null, Map.of("line_base", "1")),
                span.getChildren()));
        fields.set(4, new Field(nodes.getName(), nodes.getFieldType(), List.of(new Field(item.getName(), item.getFieldType(), itemChildren))));
        assertNotEquals(hash, SchemaIdentity.hash(new Schema(fields, base.getCustomMetadata())), "nested field metadata");
    }

    @Test
    void aBrokenContractNamesItselfAndTheProblem() {
        String json = "{\"name\":\"x_v1\",\"version\":1,\"fields\":[{\"name\":\"a\",\"type\":\"uuid\"}],"
                + "\"table\":{\"format\":\"parquet\",\"layouts\":{\"flat\":{}},\"default_layout\":\"flat\"}}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ContractLoader.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "broken.json"));
        assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("uuid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ContractLoader.load("../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> ContractLoader.load("no_such_dataset_v1"));
    }
}
