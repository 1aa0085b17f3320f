variable "service" {
  description = "The service: its Consul name and, for a service that serves HTTP, its registration: address (the internal hostname: its ECS Service Connect client alias, which resolves inside the namespace's tasks only), port (the client alias port, 80) and tags, registered without a TCP check. A worker or job gives its name only: it has no alias and nothing may call it, so it gets no registration and no intentions (its datastores are still registered)."
  type = object({
    name    = string
    address = optional(string)
    port    = optional(number)
    tags    = optional(list(string), [])
  })

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.service.name))
    error_message = "service.name must match ^[a-z][a-z0-9-]{1,30}[a-z0-9]$."
  }

  validation {
    condition     = (var.service.address == null) == (var.service.port == null)
    error_message = "service.address and service.port go together: both for a service that serves HTTP, neither for a worker or job."
  }

  validation {
    condition     = var.service.port == null || (coalesce(var.service.port, 1) >= 1 && coalesce(var.service.port, 1) <= 65535 && floor(coalesce(var.service.port, 1)) == coalesce(var.service.port, 1))
    error_message = "service.port must be a whole number between 1 and 65535."
  }

  validation {
    condition     = var.service.address == null || (length(coalesce(var.service.address, "x")) <= 253 && can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$", coalesce(var.service.address, "x"))))
    error_message = "service.address must be a DNS name or IPv4 address of at most 253 characters."
  }
}

variable "datastores" {
  description = "Network datastores of the service, each registered as an external node with one service: name (the datastore's resource name), type (the generator's datastore type, e.g. postgres; infragen passes the network kinds of its registry only, so a new network kind needs no edit here), address (endpoint host name) and port."
  type = list(object({
    name    = string
    type    = string
    address = string
    port    = number
  }))
  default = []

  validation {
    condition     = alltrue([for d in var.datastores : can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", d.name))])
    error_message = "datastores[*].name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$."
  }

  validation {
    condition     = length(distinct([for d in var.datastores : d.name])) == length(var.datastores)
    error_message = "datastores[*].name must be unique."
  }

  validation {
    condition     = alltrue([for d in var.datastores : can(regex("^[a-z][a-z0-9-]{0,30}$", d.type))])
    error_message = "datastores[*].type must be a datastore type name (^[a-z][a-z0-9-]{0,30}$): it becomes a Consul tag."
  }

  validation {
    condition     = alltrue([for d in var.datastores : d.port >= 1 && d.port <= 65535 && floor(d.port) == d.port])
    error_message = "datastores[*].port must be a whole number between 1 and 65535."
  }
}

variable "allowed_sources" {
  description = "Services that may call this one (its declared dependents). Every other source is denied by the service's intentions."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.allowed_sources : can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", s))])
    error_message = "allowed_sources must be service names matching ^[a-z][a-z0-9-]{1,30}[a-z0-9]$; the wildcard \"*\" is not allowed."
  }

  validation {
    condition     = length(distinct(var.allowed_sources)) == length(var.allowed_sources)
    error_message = "allowed_sources must not contain duplicates."
  }
}

variable "datacenter" {
  description = "Consul datacenter of the account."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,64}$", var.datacenter))
    error_message = "datacenter must be 1-64 lower-case letters, digits and hyphens."
  }
}
