mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
}

variables {
  service     = "orders"
  owner       = "team-a"
  environment = "staging"
  production  = false
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0a", "subnet-0b"]
  tags        = { cost-center = "cc-42", owner = "someone-else" }
  name        = "orders-files"
  bucket_name = "orders-files-123456789012"
}

run "bucket" {
  command = apply

  assert {
    condition     = output.security_group_id == null && output.client_security_group_id == null
    error_message = "no security groups at all: access is IAM only"
  }

  assert {
    condition     = output.tags == tomap({ cost-center = "cc-42", owner = "team-a", service = "orders", environment = "staging", managed-by = "infragen" })
    error_message = "tags must be var.tags plus owner, service, environment and managed-by, which win over var.tags"
  }

  assert {
    condition     = output.bucket == "orders-files-123456789012" && output.arn == module.s3.arn
    error_message = "the bucket must be bucket_name"
  }
}

run "rejects_bucket_name_without_account_id" {
  command = plan
  variables {
    bucket_name = "orders-files-prod"
  }
  expect_failures = [output.arn]
}

run "rejects_bad_bucket_name" {
  command = plan
  variables {
    bucket_name = "Orders_Files"
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

run "rejects_name_without_service_prefix" {
  command = plan
  variables {
    name = "billing-files"
  }
  expect_failures = [output.arn]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "orders--files"
  }
  expect_failures = [var.name]
}

run "rejects_bad_environment" {
  command = plan
  variables {
    environment = "Prod"
  }
  expect_failures = [var.environment]
}

run "rejects_bad_vpc_id" {
  command = plan
  variables {
    vpc_id = "vpc_0123"
  }
  expect_failures = [var.vpc_id]
}
