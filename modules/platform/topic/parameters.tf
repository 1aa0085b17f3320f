# Connection by convention (docs/deploying.md): what a publisher of this topic needs, as an SSM
# parameter under /infragen/<environment>/<name>/<key>. The task definition that infragen
# compiles reads it with valueFrom. Not a secret (publishers use IAM).
locals {
  connection_parameters = {
    arn = aws_sns_topic.this.arn
  }
}

resource "aws_ssm_parameter" "connection" {
  #checkov:skip=CKV2_AWS_34:Connection coordinates (host, port, names, ARNs) are not secret; a SecureString would only add a KMS dependency to every task start.
  for_each = local.connection_parameters

  name        = "/infragen/${var.environment}/${var.name}/${each.key}"
  description = "${each.key} of topic ${var.name} (infragen connection by convention)"
  type        = "String"
  value       = each.value

  tags = local.tags
}
