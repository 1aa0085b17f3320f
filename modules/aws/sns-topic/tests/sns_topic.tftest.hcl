mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock-alerts" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
}

variables {
  name            = "payments-alerts"
  email_endpoints = ["oncall@example.com"]
  https_endpoints = ["https://events.example.com/integration/abc"]
}

run "encrypted_topic_with_subscriptions" {
  command = apply

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == aws_kms_key.this.arn && aws_kms_key.this.enable_key_rotation
    error_message = "the topic must be encrypted with its own rotating key"
  }

  assert {
    condition     = output.subscriptions.email == tolist(["oncall@example.com"]) && output.subscriptions.https == tolist(["https://events.example.com/integration/abc"])
    error_message = "every endpoint must be subscribed with its protocol"
  }

  assert {
    condition     = aws_sns_topic_subscription.https["https://events.example.com/integration/abc"].protocol == "https" && aws_sns_topic_subscription.email["oncall@example.com"].protocol == "email"
    error_message = "protocols must follow the endpoint kind"
  }
}

run "rejects_plain_http_endpoint" {
  command = plan
  variables {
    https_endpoints = ["http://events.example.com/x"]
  }
  expect_failures = [var.https_endpoints]
}

run "rejects_bad_email" {
  command = plan
  variables {
    email_endpoints = ["not-an-email"]
  }
  expect_failures = [var.email_endpoints]
}
