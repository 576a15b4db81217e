// The host layer; see DealService.
