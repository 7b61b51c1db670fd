//! The JNI entry points of `io.syntaxlake.engine.NativeBridge`. Each one only converts between
//! Java and Rust values and runs inside `guard`; the work is done by `Session`.

use std::collections::HashMap;

use std::sync::Arc;

use arrow::datatypes::Schema;
use arrow::ffi::FFI_ArrowSchema;
use arrow::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JLongArray, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jbyteArray, jlong, jobjectArray, jstring};

use crate::errors::{BridgeError, BridgeResult, guard};
use crate::object_stores::S3StoreSpec;
use crate::result_stream::export;
use crate::files_table::{DataFile, FilesSpec};
use crate::listing::ListingSpec;
use crate::session::Session;

/// Borrows the session behind a handle. The Java side guarantees that a handle is never used
/// after (or while) it is closed; zero is what a closed Java session passes.
fn session<'a>(handle: jlong) -> BridgeResult<&'a Session> {
    if handle == 0 {
        return Err(BridgeError::InvalidArgument("the session is closed".into()));
    }
    // SAFETY: non-zero handles come from `Box::into_raw` in `openSession` and stay valid until
    // `closeSession`, which the Java side never runs concurrently with other calls.
    Ok(unsafe { &*(handle as *const Session) })
}

fn string(env: &mut JNIEnv, value: &JString) -> BridgeResult<String> {
    if value.is_null() {
        return Err(BridgeError::InvalidArgument("a string argument is null".into()));
    }
    Ok(env.get_string(value)?.into())
}

fn strings(env: &mut JNIEnv, array: &JObjectArray) -> BridgeResult<Vec<String>> {
    if array.is_null() {
        return Ok(Vec::new());
    }
    let length = env.get_array_length(array)?;
    let mut out = Vec::with_capacity(length as usize);
    for index in 0..length {
        let element = JString::from(env.get_object_array_element(array, index)?);
        out.push(string(env, &element)?);
        env.delete_local_ref(element)?;
    }
    Ok(out)
}

/// A string array whose elements may be null.
fn nullable_strings(env: &mut JNIEnv, array: &JObjectArray) -> BridgeResult<Vec<Option<String>>> {
    if array.is_null() {
        return Ok(Vec::new());
    }
    let length = env.get_array_length(array)?;
    let mut out = Vec::with_capacity(length as usize);
    for index in 0..length {
        let element = JString::from(env.get_object_array_element(array, index)?);
        out.push(if element.is_null() { None } else { Some(env.get_string(&element)?.into()) });
        env.delete_local_ref(element)?;
    }
    Ok(out)
}

/// Java passes maps as flat `[key, value, key, value, ...]` arrays.
fn pairs(env: &mut JNIEnv, array: &JObjectArray) -> BridgeResult<Vec<(String, String)>> {
    let flat = strings(env, array)?;
    if flat.len() % 2 != 0 {
        return Err(BridgeError::InvalidArgument("a key/value array has an odd length".into()));
    }
    Ok(flat.chunks_exact(2).map(|kv| (kv[0].clone(), kv[1].clone())).collect())
}

fn string_array(env: &mut JNIEnv, values: &[String]) -> BridgeResult<jobjectArray> {
    let array = env.new_object_array(values.len() as i32, "java/lang/String", JObject::null())?;
    for (index, value) in values.iter().enumerate() {
        let text = env.new_string(value)?;
        env.set_object_array_element(&array, index as i32, &text)?;
        env.delete_local_ref(text)?;
    }
    Ok(array.into_raw())
}

fn stream_address(address: jlong) -> BridgeResult<jlong> {
    if address == 0 {
        return Err(BridgeError::InvalidArgument("an Arrow C struct address is null".into()));
    }
    Ok(address)
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_engineVersion<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jstring {
    guard(&mut env, std::ptr::null_mut(), |env| {
        Ok(env.new_string(datafusion::DATAFUSION_VERSION)?.into_raw())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_openSession<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    settings: JObjectArray<'local>,
    limits: JObjectArray<'local>,
    s3_stores: JObjectArray<'local>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let settings = pairs(env, &settings)?;
        let limits: HashMap<String, String> = pairs(env, &limits)?.into_iter().collect();
        let mut stores = Vec::new();
        if !s3_stores.is_null() {
            for index in 0..env.get_array_length(&s3_stores)? {
                let options = JObjectArray::from(env.get_object_array_element(&s3_stores, index)?);
                let options: HashMap<String, String> = pairs(env, &options)?.into_iter().collect();
                stores.push(S3StoreSpec::from_options(&options)?);
            }
        }
        let session = Session::open(settings, limits, stores)?;
        Ok(Box::into_raw(Box::new(session)) as jlong)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_closeSession<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    guard(&mut env, (), |_| {
        if handle != 0 {
            // SAFETY: the handle came from `Box::into_raw` and Java closes it exactly once.
            drop(unsafe { Box::from_raw(handle as *mut Session) });
        }
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_sql<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    sql: JString<'local>,
    stream: jlong,
) {
    guard(&mut env, (), |env| {
        let sql = string(env, &sql)?;
        let address = stream_address(stream)?;
        let result = session(handle)?.sql(&sql)?;
        // SAFETY: Java allocated an empty ArrowArrayStream struct at this address.
        unsafe { export(result, address) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_plans<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    sql: JString<'local>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let sql = string(env, &sql)?;
        let plans = session(handle)?.plans(&sql)?;
        string_array(env, &[plans.logical, plans.optimized, plans.physical])
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_dfschemaTree<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    sql: JString<'local>,
) -> jstring {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let sql = string(env, &sql)?;
        let tree = session(handle)?.dfschema_tree(&sql)?;
        Ok(env.new_string(tree)?.into_raw())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_columnDefaults<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    table: JString<'local>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let table = string(env, &table)?;
        let flat: Vec<String> = session(handle)?
            .column_defaults(&table)?
            .into_iter()
            .flat_map(|(column, expr)| [column, expr])
            .collect();
        string_array(env, &flat)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_registerStream<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JString<'local>,
    stream: jlong,
) {
    guard(&mut env, (), |env| {
        let name = string(env, &name)?;
        let address = stream_address(stream)?;
        let session = session(handle)?;
        // SAFETY: Java exported a live stream at this address; `from_raw` moves it out and
        // leaves the Java-side struct released.
        let reader = unsafe { ArrowArrayStreamReader::from_raw(address as *mut FFI_ArrowArrayStream)? };
        session.register_stream(&name, reader)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_registerS3<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    options: JObjectArray<'local>,
) {
    guard(&mut env, (), |env| {
        let options: HashMap<String, String> = pairs(env, &options)?.into_iter().collect();
        session(handle)?.register_s3(S3StoreSpec::from_options(&options)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_refreshCatalogs<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    guard(&mut env, (), |_| session(handle)?.refresh_catalogs())
}

/// The listing arguments that `registerListing` and `declareRegistryTable` share.
struct ListingArgs<'a, 'local> {
    name: &'a JString<'local>,
    location: &'a JString<'local>,
    format: &'a JString<'local>,
    schema: jlong,
    partitions: &'a JObjectArray<'local>,
    sort_order: &'a JObjectArray<'local>,
    options: &'a JObjectArray<'local>,
    listing_ttl_millis: jlong,
}

fn listing_spec(env: &mut JNIEnv, args: ListingArgs) -> BridgeResult<ListingSpec> {
    let name = string(env, args.name)?;
    let location = string(env, args.location)?;
    let format = string(env, args.format)?;
    let partitions = strings(env, args.partitions)?;
    let sort_order = strings(env, args.sort_order)?;
    let options = pairs(env, args.options)?;
    let address = stream_address(args.schema)?;
    // SAFETY: Java exported a schema at this address; `from_raw` moves it out and leaves the
    // Java-side struct released.
    let ffi = unsafe { FFI_ArrowSchema::from_raw(address as *mut FFI_ArrowSchema) };
    let schema = Arc::new(Schema::try_from(&ffi)?);
    Ok(ListingSpec {
        name,
        location,
        format,
        schema,
        partitions,
        sort_order,
        options,
        // negative: no table TTL (Java passes -1)
        listing_ttl: u64::try_from(args.listing_ttl_millis).ok().map(std::time::Duration::from_millis),
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_registerListing<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JString<'local>,
    location: JString<'local>,
    format: JString<'local>,
    schema: jlong,
    partitions: JObjectArray<'local>,
    sort_order: JObjectArray<'local>,
    options: JObjectArray<'local>,
    listing_ttl_millis: jlong,
) {
    guard(&mut env, (), |env| {
        let args = ListingArgs {
            name: &name,
            location: &location,
            format: &format,
            schema,
            partitions: &partitions,
            sort_order: &sort_order,
            options: &options,
            listing_ttl_millis,
        };
        let spec = listing_spec(env, args)?;
        session(handle)?.register_listing(spec)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_beginRegistrySchema<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    catalog: JString<'local>,
    schema: JString<'local>,
) {
    guard(&mut env, (), |env| {
        let catalog = string(env, &catalog)?;
        let schema = string(env, &schema)?;
        session(handle)?.begin_registry_schema(&catalog, &schema);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_publishRegistrySchema<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    catalog: JString<'local>,
    schema: JString<'local>,
) {
    guard(&mut env, (), |env| {
        let catalog = string(env, &catalog)?;
        let schema = string(env, &schema)?;
        session(handle)?.publish_registry_schema(&catalog, &schema)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_declareRegistryTable<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    catalog: JString<'local>,
    schema_name: JString<'local>,
    name: JString<'local>,
    location: JString<'local>,
    format: JString<'local>,
    schema: jlong,
    partitions: JObjectArray<'local>,
    sort_order: JObjectArray<'local>,
    options: JObjectArray<'local>,
    listing_ttl_millis: jlong,
) {
    guard(&mut env, (), |env| {
        let catalog = string(env, &catalog)?;
        let schema_name = string(env, &schema_name)?;
        let args = ListingArgs {
            name: &name,
            location: &location,
            format: &format,
            schema,
            partitions: &partitions,
            sort_order: &sort_order,
            options: &options,
            listing_ttl_millis,
        };
        let spec = listing_spec(env, args)?;
        session(handle)?.declare_registry_table(&catalog, &schema_name, spec)
    })
}

/// The arguments that `registerFiles` and `declareRegistryFiles` share. `partition_values` is
/// files x partitions long, row by row; a null element is a null value.
struct FilesArgs<'a, 'local> {
    schema: jlong,
    partitions: &'a JObjectArray<'local>,
    urls: &'a JObjectArray<'local>,
    sizes: &'a JLongArray<'local>,
    partition_values: &'a JObjectArray<'local>,
    options: &'a JObjectArray<'local>,
}

fn files_spec(env: &mut JNIEnv, name: &str, args: FilesArgs) -> BridgeResult<FilesSpec> {
    let partitions = strings(env, args.partitions)?;
    let urls = strings(env, args.urls)?;
    let mut size_values = vec![0i64; env.get_array_length(args.sizes)? as usize];
    env.get_long_array_region(args.sizes, 0, &mut size_values)?;
    let values = nullable_strings(env, args.partition_values)?;
    let options = pairs(env, args.options)?;
    if size_values.len() != urls.len() || values.len() != urls.len() * partitions.len() {
        return Err(BridgeError::InvalidArgument(format!("table '{name}': file arrays of different lengths")));
    }
    let address = stream_address(args.schema)?;
    // SAFETY: Java exported a schema at this address; `from_raw` moves it out.
    let ffi = unsafe { FFI_ArrowSchema::from_raw(address as *mut FFI_ArrowSchema) };
    let file_schema = Arc::new(Schema::try_from(&ffi)?);
    let width = partitions.len();
    let files = urls
        .into_iter()
        .enumerate()
        .map(|(index, url)| {
            let size = u64::try_from(size_values[index])
                .map_err(|_| BridgeError::InvalidArgument(format!("file {url} has a negative size")))?;
            let partition_values = values[index * width..(index + 1) * width].to_vec();
            Ok(DataFile { url, size, partition_values })
        })
        .collect::<BridgeResult<Vec<_>>>()?;
    Ok(FilesSpec { file_schema, partitions, files, options })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_registerFiles<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JString<'local>,
    schema: jlong,
    partitions: JObjectArray<'local>,
    urls: JObjectArray<'local>,
    sizes: JLongArray<'local>,
    partition_values: JObjectArray<'local>,
    options: JObjectArray<'local>,
) {
    guard(&mut env, (), |env| {
        let name = string(env, &name)?;
        let args = FilesArgs {
            schema,
            partitions: &partitions,
            urls: &urls,
            sizes: &sizes,
            partition_values: &partition_values,
            options: &options,
        };
        let spec = files_spec(env, &name, args)?;
        session(handle)?.register_files(&name, spec)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_declareRegistryFiles<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    catalog: JString<'local>,
    schema_name: JString<'local>,
    name: JString<'local>,
    schema: jlong,
    partitions: JObjectArray<'local>,
    urls: JObjectArray<'local>,
    sizes: JLongArray<'local>,
    partition_values: JObjectArray<'local>,
    options: JObjectArray<'local>,
) {
    guard(&mut env, (), |env| {
        let catalog = string(env, &catalog)?;
        let schema_name = string(env, &schema_name)?;
        let name = string(env, &name)?;
        let args = FilesArgs {
            schema,
            partitions: &partitions,
            urls: &urls,
            sizes: &sizes,
            partition_values: &partition_values,
            options: &options,
        };
        let spec = files_spec(env, &name, args)?;
        session(handle)?.declare_registry_files(&catalog, &schema_name, &name, spec)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_registerProjection<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JString<'local>,
    source: JString<'local>,
    columns: JObjectArray<'local>,
) {
    guard(&mut env, (), |env| {
        let name = string(env, &name)?;
        let source = string(env, &source)?;
        let columns = strings(env, &columns)?;
        session(handle)?.register_projection(&name, &source, &columns)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_getObject<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    location: JString<'local>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let location = string(env, &location)?;
        match session(handle)?.objects().get(&location)? {
            Some(bytes) => Ok(env.byte_array_from_slice(&bytes)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_putObject<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    location: JString<'local>,
    bytes: JByteArray<'local>,
) {
    guard(&mut env, (), |env| {
        let location = string(env, &location)?;
        let bytes = env.convert_byte_array(&bytes)?;
        session(handle)?.objects().put(&location, bytes)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_putObjectIfAbsent<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    location: JString<'local>,
    bytes: JByteArray<'local>,
) -> jboolean {
    guard(&mut env, 0, |env| {
        let location = string(env, &location)?;
        let bytes = env.convert_byte_array(&bytes)?;
        Ok(u8::from(session(handle)?.objects().put_if_absent(&location, bytes)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_deleteObject<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    location: JString<'local>,
) -> jboolean {
    guard(&mut env, 0, |env| {
        let location = string(env, &location)?;
        Ok(u8::from(session(handle)?.objects().delete_one(&location)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_listObjects<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    location: JString<'local>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let location = string(env, &location)?;
        let listed = session(handle)?.objects().list(&location)?;
        let flat: Vec<String> = listed
            .into_iter()
            .flat_map(|o| [o.path, o.size.to_string(), o.last_modified_ms.to_string()])
            .collect();
        string_array(env, &flat)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_copyObjects<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    from: JObjectArray<'local>,
    to: JObjectArray<'local>,
) {
    guard(&mut env, (), |env| {
        let from = strings(env, &from)?;
        let to = strings(env, &to)?;
        session(handle)?.objects().copy_all(&from, &to)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_deleteObjects<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    location: JString<'local>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let location = string(env, &location)?;
        Ok(session(handle)?.objects().delete_all(&location)? as jlong)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_listingLayout<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    table: JString<'local>,
    schema_address: jlong,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let table = string(env, &table)?;
        let address = stream_address(schema_address)?;
        let (schema, partitions) = session(handle)?.listing_layout(&table)?;
        let ffi = FFI_ArrowSchema::try_from(schema.as_ref())?;
        // SAFETY: Java allocated an empty ArrowSchema struct at this address for us to fill.
        unsafe { std::ptr::write(address as *mut FFI_ArrowSchema, ffi) };
        let flat: Vec<String> = partitions.into_iter().flat_map(|(name, data_type)| [name, data_type]).collect();
        string_array(env, &flat)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_syntaxlake_engine_NativeBridge_parquetColumns<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    location: JString<'local>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let location = string(env, &location)?;
        let chunks = session(handle)?.objects().parquet_columns(&location)?;
        let flat: Vec<String> = chunks
            .into_iter()
            .flat_map(|c| {
                [
                    c.file,
                    c.row_group.to_string(),
                    c.column,
                    c.compression,
                    c.statistics.to_string(),
                    c.page_index.to_string(),
                    c.bloom_filter.to_string(),
                    c.dictionary.to_string(),
                ]
            })
            .collect();
        string_array(env, &flat)
    })
}
