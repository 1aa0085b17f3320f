mock_provider "aws" {}

variables {
  service     = "orders"
  owner       = "team-a"
  environment = "staging"
  production  = false
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0a", "subnet-0b"]
  tags        = { cost-center = "cc-42", owner = "someone-else" }
  name        = "orders-table"
  hash_key    = "pk"
}

run "staging_table" {
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
    condition     = output.table_name == "orders-table" && !module.dynamodb.deletion_protection
    error_message = "the table must be <name>, without deletion protection outside production"
  }
}

run "production_table" {
  command = apply

  variables {
    production     = true
    range_key      = "sk"
    range_key_type = "N"
    # runs of a file share one state: this replaces the previous run's table
    allow_replacement = true
  }

  assert {
    condition     = module.dynamodb.deletion_protection
    error_message = "production tables must have deletion protection"
  }
}

run "rejects_bad_key_type" {
  command = plan
  variables {
    range_key      = "sk"
    range_key_type = "BOOL"
  }
  expect_failures = [var.range_key_type]
}

run "rejects_name_without_service_prefix" {
  command = plan
  variables {
    name = "billing-table"
  }
  expect_failures = [output.arn]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "orders--table"
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
