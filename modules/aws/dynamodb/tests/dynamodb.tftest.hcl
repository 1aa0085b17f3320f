mock_provider "aws" {}

variables {
  name     = "orders-table"
  hash_key = "pk"
  tags     = { owner = "team-a" }
}

run "hash_key_only" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.this.name == "orders-table" && aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "table must be named <name> and billed on demand"
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled && aws_dynamodb_table.this.server_side_encryption[0].enabled
    error_message = "point-in-time recovery and server-side encryption must be on"
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "deletion protection must be on by default"
  }

  assert {
    condition     = aws_dynamodb_table.this.hash_key == "pk" && aws_dynamodb_table.this.range_key == null && length(aws_dynamodb_table.this.attribute) == 1
    error_message = "only the hash key attribute may be declared"
  }

  assert {
    condition     = aws_dynamodb_table.this.tags == tomap({ owner = "team-a", Name = "orders-table" })
    error_message = "tags must be var.tags plus Name"
  }
}

run "hash_and_range_key" {
  command = apply

  variables {
    hash_key_type       = "N"
    range_key           = "sk"
    range_key_type      = "B"
    deletion_protection = false
    # runs of a file share one state: this replaces the previous run's table
    allow_replacement = true
  }

  assert {
    condition     = aws_dynamodb_table.this.range_key == "sk" && aws_dynamodb_table.this.attribute == toset([{ name = "pk", type = "N" }, { name = "sk", type = "B" }])
    error_message = "both key attributes must be declared with their types"
  }

  assert {
    condition     = !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "deletion protection must follow the variable"
  }
}

run "rejects_bad_key_type" {
  command = plan
  variables {
    hash_key_type = "X"
  }
  expect_failures = [var.hash_key_type]
}

run "rejects_same_keys" {
  command = plan
  variables {
    range_key = "pk"
  }
  expect_failures = [aws_dynamodb_table.this]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "orders_table"
  }
  expect_failures = [var.name]
}
