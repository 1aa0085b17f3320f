resource "aws_route53_record" "this" {
  zone_id         = var.zone_id
  name            = var.name
  type            = var.type
  ttl             = var.alias == null ? var.ttl_seconds : null
  records         = var.alias == null ? var.records : null
  allow_overwrite = var.allow_overwrite

  dynamic "alias" {
    for_each = var.alias == null ? [] : [var.alias]
    content {
      name                   = alias.value.name
      zone_id                = alias.value.zone_id
      evaluate_target_health = alias.value.evaluate_target_health
    }
  }

  lifecycle {
    precondition {
      condition     = (var.records == null) != (var.alias == null)
      error_message = "Set exactly one of records or alias."
    }
    precondition {
      condition     = var.alias == null || contains(["A", "AAAA"], var.type)
      error_message = "Alias records must have type A or AAAA."
    }
  }
}
