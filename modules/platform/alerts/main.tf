locals {
  # service: the topic's name, so a team root carries the four tags infragen plan-check requires
  # (owner, service, environment, cost-center) like a service root does
  tags = merge(var.tags, {
    owner       = var.team
    service     = "${var.team}-alerts"
    environment = var.environment
    managed-by  = "infragen"
  })
}

# The team's alert topic in this account. Every alarm of the team's services and datastores
# notifies it (the generator passes arn:...:sns:<region>:<account>:<team>-alerts to them).
module "topic" {
  source = "../../aws/sns-topic"

  name            = "${var.team}-alerts"
  email_endpoints = var.email
  https_endpoints = var.https
  tags            = local.tags
}
