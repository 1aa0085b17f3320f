# Issue 18 finding 12: a key change replaces the table (hash_key/range_key force a new table),
# which deletes its items. The module refuses that plan unless allow_replacement = true.
# Deletion protection (production) also makes AWS refuse the delete.
mock_provider "aws" {}

variables {
  name     = "orders-table"
  hash_key = "pk"
  tags     = { owner = "team-a" }
}

run "created" {
  command = apply
}

run "refuses_a_key_change" {
  command = plan
  variables {
    range_key = "sk"
  }
  expect_failures = [aws_dynamodb_table.this]
}

run "refuses_a_key_type_change" {
  command = plan
  variables {
    hash_key_type = "N"
  }
  expect_failures = [aws_dynamodb_table.this]
}

run "key_change_when_acknowledged" {
  command = apply
  variables {
    range_key         = "sk"
    allow_replacement = true
  }
  assert {
    condition     = aws_dynamodb_table.this.range_key == "sk"
    error_message = "an acknowledged key change replaces the table"
  }
}
