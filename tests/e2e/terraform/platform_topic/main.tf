# modules/platform/topic applied against the AWS emulator by pytest-terraform
# (tests/e2e/test_topic_module.py); TF_VAR_endpoint is the emulator's loopback URL.

variable "endpoint" {
  type        = string
  description = "The emulator's URL on 127.0.0.1."

  validation {
    condition     = startswith(var.endpoint, "http://127.0.0.1:")
    error_message = "endpoint must be the emulator on loopback."
  }
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    sns        = var.endpoint
    kms        = var.endpoint
    ssm        = var.endpoint
    cloudwatch = var.endpoint
    sts        = var.endpoint
  }
}

module "topic" {
  source = "../../../../modules/platform/topic"

  name            = "ledger-news"
  service         = "ledger"
  owner           = "payments"
  environment     = "e2e"
  production      = false
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = []
  account_id      = "123456789012"
  fifo            = true
  encryption      = "own"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:payments-alerts"
}

output "arn" {
  value = module.topic.arn
}

output "kms_key_arn" {
  value = module.topic.kms_key_arn
}

output "connection_parameters" {
  value = module.topic.connection_parameters
}
