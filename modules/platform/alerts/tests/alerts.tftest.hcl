mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
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
  team        = "payments"
  environment = "production"
  email       = ["payments-oncall@example.com"]
  https       = ["https://events.example.com/integration/payments"]
}

run "team_topic" {
  command = apply

  assert {
    condition     = output.topic_name == "payments-alerts"
    error_message = "the topic must be <team>-alerts"
  }

  assert {
    condition     = local.tags.service == "payments-alerts" && local.tags.owner == "payments" && local.tags.environment == "production"
    error_message = "the team root's resources carry owner, service and environment (plan-check's tags rule)"
  }

  assert {
    condition     = output.subscriptions.email == tolist(["payments-oncall@example.com"]) && output.subscriptions.https == tolist(["https://events.example.com/integration/payments"])
    error_message = "the team's routes must be subscribed"
  }
}

run "rejects_bad_team" {
  command = plan
  variables {
    team = "Payments"
  }
  expect_failures = [var.team]
}
