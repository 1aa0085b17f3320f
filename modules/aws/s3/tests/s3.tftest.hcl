mock_provider "aws" {
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::orders-files-123456789012"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
}

variables {
  bucket_name = "orders-files-123456789012"
  tags        = { owner = "team-a" }
}

run "secure_defaults" {
  command = apply

  assert {
    condition     = aws_s3_bucket.this.bucket == "orders-files-123456789012" && !aws_s3_bucket.this.force_destroy
    error_message = "bucket must be named bucket_name and not force-destroyable"
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls &&
      aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls &&
      aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "all four public access blocks must be on"
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "versioning must be on by default"
  }

  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : one(r.apply_server_side_encryption_by_default).sse_algorithm]) == "AES256"
    error_message = "SSE-S3 must be the default encryption"
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.this.statement :
      s.effect == "Deny" && anytrue([for c in s.condition : c.variable == "aws:SecureTransport" && c.values == tolist(["false"])])
    ])
    error_message = "the bucket policy must deny requests without TLS"
  }

  assert {
    condition     = aws_s3_bucket_policy.this.policy == data.aws_iam_policy_document.this.json
    error_message = "the bucket policy must be the TLS-only policy document"
  }

  assert {
    condition     = length([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r if length(r.expiration) > 0]) == 0
    error_message = "objects must not expire by default"
  }

  assert {
    condition     = length([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r if length(r.abort_incomplete_multipart_upload) > 0]) == 1
    error_message = "incomplete multipart uploads must be aborted"
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0
    error_message = "access logging must be off without access_log_bucket"
  }

  assert {
    condition     = aws_s3_bucket.this.tags == tomap({ owner = "team-a", Name = "orders-files-123456789012" })
    error_message = "tags must be var.tags plus Name"
  }
}

run "expiration_kms_and_logging" {
  command = apply

  variables {
    versioning        = false
    expiration_days   = 30
    kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    access_log_bucket = "logs-123456789012"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Suspended"
    error_message = "versioning must be suspended when versioning = false"
  }

  assert {
    condition     = one(flatten([for r in aws_s3_bucket_lifecycle_configuration.this.rule : [for e in r.expiration : e.days]])) == 30
    error_message = "objects must expire after expiration_days"
  }

  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : one(r.apply_server_side_encryption_by_default).sse_algorithm]) == "aws:kms"
    error_message = "a KMS key must switch encryption to aws:kms"
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "logs-123456789012" && aws_s3_bucket_logging.this[0].target_prefix == "orders-files-123456789012/"
    error_message = "access logs must go to access_log_bucket under <bucket>/"
  }
}

run "rejects_dotted_name" {
  command = plan
  variables {
    bucket_name = "orders.files"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_upper_case_name" {
  command = plan
  variables {
    bucket_name = "Orders-Files"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_zero_expiration" {
  command = plan
  variables {
    expiration_days = 0
  }
  expect_failures = [var.expiration_days]
}
