locals {
  # Consul evaluates sources by precedence: an exact source name (9) wins over the
  # wildcard (8). Precedence and Type are written out, as Consul returns them, so that the
  # provider sees no diff after apply.
  sources = concat(
    [for s in sort(var.allowed_sources) : {
      Name        = s
      Action      = "allow"
      Precedence  = 9
      Type        = "consul"
      Description = var.description
    }],
    [{
      Name        = "*"
      Action      = "deny"
      Precedence  = 8
      Type        = "consul"
      Description = var.description
    }],
  )

  config = merge(
    { Sources = local.sources },
    length(var.meta) == 0 ? {} : { Meta = var.meta },
  )
}

# One service-intentions config entry per destination: allow exactly the listed
# sources, deny everything else.
resource "consul_config_entry" "this" {
  kind        = "service-intentions"
  name        = var.destination
  config_json = jsonencode(local.config)
}
