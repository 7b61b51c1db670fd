//! Object stores for `s3://` locations. DataFusion only pre-registers `file://`; an S3 bucket
//! must be registered before any DDL or catalog refresh names it.

use std::collections::HashMap;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::ObjectStore;
use url::Url;

use crate::errors::{BridgeError, BridgeResult};

/// The S3 options the Java side sends, by name.
pub struct S3StoreSpec {
    pub bucket: String,
    builder: AmazonS3Builder,
}

impl S3StoreSpec {
    /// Builds the spec from `bucket`, `endpoint`, `region`, `access_key_id`,
    /// `secret_access_key`, `session_token`, `path_style`, `allow_http`. Unknown keys are
    /// rejected so that a typo does not silently fall back to a default.
    pub fn from_options(options: &HashMap<String, String>) -> BridgeResult<Self> {
        let bucket = options
            .get("bucket")
            .filter(|b| !b.is_empty())
            .ok_or_else(|| BridgeError::InvalidArgument("an S3 store needs a bucket".into()))?
            .clone();
        let mut builder = AmazonS3Builder::new().with_bucket_name(&bucket);
        for (key, value) in options {
            builder = match key.as_str() {
                "bucket" => builder,
                "endpoint" => builder.with_endpoint(value),
                "region" => builder.with_region(value),
                "access_key_id" => builder.with_access_key_id(value),
                "secret_access_key" => builder.with_secret_access_key(value),
                "session_token" => builder.with_token(value),
                "path_style" => builder.with_virtual_hosted_style_request(!parse_bool(key, value)?),
                "allow_http" => builder.with_allow_http(parse_bool(key, value)?),
                other => {
                    return Err(BridgeError::InvalidArgument(format!(
                        "unknown S3 store option '{other}' for bucket '{bucket}'"
                    )));
                }
            };
        }
        Ok(Self { bucket, builder })
    }

    pub fn url(&self) -> BridgeResult<Url> {
        Url::parse(&format!("s3://{}", self.bucket)).map_err(|e| {
            BridgeError::InvalidArgument(format!("invalid S3 bucket name '{}': {e}", self.bucket))
        })
    }

    pub fn build(self) -> BridgeResult<Arc<dyn ObjectStore>> {
        Ok(Arc::new(self.builder.build()?))
    }
}

fn parse_bool(key: &str, value: &str) -> BridgeResult<bool> {
    value.parse::<bool>().map_err(|_| {
        BridgeError::InvalidArgument(format!("S3 store option '{key}' must be true or false, got '{value}'"))
    })
}
