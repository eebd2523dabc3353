package io.weft.demo.k8s;

import static java.util.Objects.requireNonNull;

import io.weft.controlplane.ControlPlaneConfig;
import io.weft.controlplane.ControlPlaneMain;
import io.weft.demo.DemoMain;
import io.weft.sidecar.SidecarConfig;
import io.weft.sidecar.SidecarMain;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The real command line of one of weft's images, parsed from a container's (expanded) {@code
 * args} and environment: {@code weft/control-plane} is {@link ControlPlaneMain}, {@code
 * weft/sidecar} is {@link SidecarMain}, {@code weft/demo-greeter} is {@link DemoMain} with its
 * {@code server} or {@code client} command.
 *
 * <p>An environment variable that a flag reads (its picocli default is {@code ${env:NAME}}) is
 * passed as that flag, unless the args name the flag (the args win, as they do in the
 * component). Parsing fails, naming the flag, for an unknown flag, a value that does not convert,
 * or a value the component's own checks reject ({@code ControlPlaneMain.config()}, {@code
 * SidecarMain.config()}).
 */
public final class ComponentCli {

  /** The images of weft's components. */
  static final Set<String> IMAGES = Set.of("weft/control-plane", "weft/sidecar", "weft/demo-greeter");

  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)");

  /** The program an image runs. */
  enum Component { CONTROL_PLANE, SIDECAR, GREETER_SERVER, GREETER_CLIENT }

  /** What a listener speaks. */
  enum Protocol { GRPC, HTTP_ADMIN }

  /**
   * A socket a component listens on.
   *
   * @param flag the flag that sets the port
   * @param host the bind address
   * @param port the port
   * @param protocol what it speaks
   */
  record Listener(String flag, String host, int port, Protocol protocol) {
    /** Whether the kubelet (and other pods) can reach it at the pod IP. */
    boolean reachableAtPodIp() {
      return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }
  }

  private final Component component;
  private final CommandLine command;
  private final Object config;

  private ComponentCli(Component component, CommandLine command, Object config) {
    this.component = component;
    this.command = command;
    this.config = config;
  }

  /** Whether {@code image} (with or without tag) is one of weft's images. */
  static boolean isWeftImage(String image) {
    return IMAGES.contains(ImageReference.parse(image).name());
  }

  /**
   * Parses {@code args} of {@code image} with {@code env} as the component would.
   *
   * @throws CommandLine.ParameterException naming the flag that is unknown or whose value is bad
   * @throws IllegalArgumentException if {@code image} is none of weft's images
   */
  static ComponentCli parse(String image, List<String> args, Map<String, String> env) {
    requireNonNull(args, "args");
    requireNonNull(env, "env");
    String name = ImageReference.parse(image).name();
    CommandLine root = switch (name) {
      case "weft/control-plane" -> new CommandLine(new ControlPlaneMain());
      case "weft/sidecar" -> SidecarMain.commandLine(env::get);
      case "weft/demo-greeter" -> DemoMain.commandLine();
      default -> throw new IllegalArgumentException(
          "image: " + image + " (expected one of " + IMAGES + ")");
    };
    CommandLine command = root;
    Component component = name.equals("weft/control-plane") ? Component.CONTROL_PLANE
        : Component.SIDECAR;
    if (name.equals("weft/demo-greeter")) {
      String subcommand = args.isEmpty() ? "" : args.get(0);
      command = root.getSubcommands().get(subcommand);
      if (!subcommand.equals("server") && !subcommand.equals("client")) {
        throw new IllegalArgumentException("weft/demo-greeter args[0]: '" + subcommand
            + "' (expected: server or client)");
      }
      component = subcommand.equals("server") ? Component.GREETER_SERVER
          : Component.GREETER_CLIENT;
    }
    List<String> all = new ArrayList<>(args);
    all.addAll(command == root ? 0 : 1, envAsFlags(command.getCommandSpec(), args, env));
    root.parseArgs(all.toArray(String[]::new));
    Object config = switch (component) {
      case CONTROL_PLANE -> ((ControlPlaneMain) command.getCommand()).config();
      case SIDECAR -> ((SidecarMain) command.getCommand()).config();
      default -> null;
    };
    return new ComponentCli(component, command, config);
  }

  /** The flags the environment sets, as {@code --flag=value}, for the flags args do not name. */
  private static List<String> envAsFlags(
      CommandSpec spec, List<String> args, Map<String, String> env) {
    Set<String> named = new LinkedHashSet<>();
    for (String arg : args) {
      named.add(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg);
    }
    List<String> flags = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      String variable = envVariable(option);
      if (variable == null || !env.containsKey(variable)
          || named.stream().anyMatch(n -> List.of(option.names()).contains(n))) {
        continue;
      }
      String value = env.get(variable);
      if (option.arity().max() == 0) {
        if (Boolean.parseBoolean(value)) {
          flags.add(option.longestName());
        }
      } else {
        flags.add(option.longestName() + "=" + value);
      }
    }
    return flags;
  }

  /**
   * The environment variable a flag's {@code ${env:NAME...}} default reads, from the default as
   * written (picocli's {@code defaultValue()} has already resolved it), or null when it reads none.
   */
  public static String envVariable(OptionSpec option) {
    String fallback = option.defaultValueString(false);
    if (fallback == null) {
      return null;
    }
    Matcher matcher = ENV_DEFAULT.matcher(fallback);
    return matcher.find() ? matcher.group(1) : null;
  }

  /** The program parsed. */
  Component component() {
    return component;
  }

  /** Every environment variable the component reads. */
  Set<String> environmentVariablesRead() {
    Set<String> names = new LinkedHashSet<>();
    for (OptionSpec option : command.getCommandSpec().options()) {
      String variable = envVariable(option);
      if (variable != null) {
        names.add(variable);
      }
    }
    if (component == Component.SIDECAR) {
      names.add(SidecarMain.POD_ZONE_ENV);
    }
    return names;
  }

  /** The parsed (or default) value of {@code flag}. */
  <T> T value(String flag) {
    OptionSpec option = command.getCommandSpec().findOption(flag);
    if (option == null) {
      throw new IllegalArgumentException(
          "flag: " + flag + " (expected: a flag of " + command.getCommandName() + ")");
    }
    return option.getValue();
  }

  /** The control plane's config; only for {@link Component#CONTROL_PLANE}. */
  ControlPlaneConfig controlPlaneConfig() {
    return (ControlPlaneConfig) config;
  }

  /** The sidecar's config; only for {@link Component#SIDECAR}. */
  SidecarConfig sidecarConfig() {
    return (SidecarConfig) config;
  }

  /** Every socket the component listens on, as the parsed flags say. */
  List<Listener> listeners() {
    List<Listener> listeners = new ArrayList<>();
    switch (component) {
      case CONTROL_PLANE -> {
        ControlPlaneConfig cp = controlPlaneConfig();
        listeners.add(new Listener("--port", cp.bindAddress(), cp.grpcPort(), Protocol.GRPC));
        listeners.add(
            new Listener("--admin-port", cp.bindAddress(), cp.adminPort(), Protocol.HTTP_ADMIN));
      }
      case SIDECAR -> {
        SidecarConfig sidecar = sidecarConfig();
        listeners.add(new Listener("--admin-port", sidecar.adminAddress(), sidecar.adminPort(),
            Protocol.HTTP_ADMIN));
        listeners.add(new Listener("--outbound-port", sidecar.outboundAddress(),
            sidecar.outboundPort(), Protocol.GRPC));
        if (sidecar.app() != null && sidecar.app().hasInbound()) {
          listeners.add(new Listener("--inbound-port", sidecar.app().inboundAddress(),
              sidecar.app().inboundPort(), Protocol.GRPC));
        }
      }
      case GREETER_SERVER -> listeners.add(new Listener(
          "--port", value("--address"), this.<Integer>value("--port"), Protocol.GRPC));
      case GREETER_CLIENT -> { }
      default -> throw new AssertionError(component);
    }
    return listeners;
  }

  /**
   * {@code args} with each flag of {@code overrides} replaced by (or added with) its value; a
   * replaced {@code --flag value} loses its value too.
   */
  static List<String> override(List<String> args, Map<String, String> overrides) {
    List<String> result = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      boolean inline = arg.contains("=");
      if (!overrides.containsKey(inline ? arg.substring(0, arg.indexOf('=')) : arg)) {
        result.add(arg);
      } else if (!inline && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        i++;
      }
    }
    overrides.forEach((flag, value) -> result.add(flag + "=" + value));
    return result;
  }
}
