package dev.twofa.auth.login;

import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.auth.throttle.Throttle.Reservation;
import dev.twofa.auth.throttle.Throttle.Slot;
import dev.twofa.bus.ClientInfo;
import dev.twofa.config.LoginPolicy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The limits one password step is reserved under, all by the client's network (an IPv6 client is its /64): per
 * account and address, per account (the ceiling), per address, per account and browser (when it brought a signed
 * device cookie), and the address's successful logins (only checked here, counted when the step passes).
 */
record PasswordAttempt(String canonical, ClientInfo client, Limit accountAddress, Limit ceiling, List<Limit> others,
                       Limit logins) {

  PasswordAttempt(String canonical, ClientInfo client, LoginPolicy policy) {
    this(canonical, client,
      new Limit(Throttle.passwordAccountAddressKey(canonical, client.network()), policy.passwordPerAccountAndAddress()),
      new Limit(Throttle.passwordAccountKey(canonical), policy.passwordPerAccount()),
      others(canonical, client, policy),
      new Limit(Throttle.loginsAddressKey(client.network()), policy.loginsPerAddress()));
  }

  private static List<Limit> others(String canonical, ClientInfo client, LoginPolicy policy) {
    Limit address = new Limit(Throttle.passwordAddressKey(client.network()), policy.passwordPerAddress());
    if (!broughtDevice(client)) {
      return List.of(address);
    }
    String browser = HexFormat.of().formatHex(SessionTokens.hash(client.device().id()));
    return List.of(address,
      new Limit(Throttle.passwordAccountBrowserKey(canonical, browser), policy.passwordPerAccountAndAddress()));
  }

  /** A device cookie the browser brought (one issued with this answer names no browser the account could know). */
  private static boolean broughtDevice(ClientInfo client) {
    return client.device() != null && !client.device().issued();
  }

  /** With {@code ceilingRefuses} false (a browser the account knows), the ceiling counts the failure, never refuses. */
  List<Slot> slots(boolean ceilingRefuses) {
    List<Slot> slots = new ArrayList<>();
    slots.add(Slot.reserved(accountAddress));
    slots.add(ceilingRefuses ? Slot.reserved(ceiling) : Slot.counted(ceiling));
    others.forEach(limit -> slots.add(Slot.reserved(limit)));
    slots.add(Slot.checked(logins));
    return slots;
  }

  /** Refused by the ceiling alone, from a browser that may be one the account knows: worth a second look. */
  boolean mayPassTheCeiling(Reservation refused) {
    return broughtDevice(client) && refused.refusedBy().equals(Set.of(ceiling.key()));
  }
}
